package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.StartRunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StartRun over real loopback gRPC: bad env input is INVALID_ARGUMENT and leaves no run behind. */
class StartRunValidationTest {

    @Test
    void badEnvInputIsInvalidArgumentAndNoRunExists(@TempDir Path tmp) throws Exception {
        try (ServiceFixture service = new ServiceFixture(tmp, "random.jar", null)) {
            GatewayGrpc.GatewayBlockingStub stub = service.stub();
            for (StartRunRequest bad : new StartRunRequest[] {
                    StartRunRequest.newBuilder().setAgent("random").setEnv("java:Nope").setSteps(100).build(),
                    StartRunRequest.newBuilder().setAgent("random").setEnv("java:CartPole").putEnvOptions("size", "64")
                            .setSteps(100).build()}) {
                assertThatThrownBy(() -> stub.startRun(bad)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).containsAnyOf("java:CartPole", "max_episode_steps");
                });
            }
            assertThat(service.gateway.runs().list(true)).isEmpty();
            try (Stream<Path> dirs = Files.list(tmp.resolve("runs"))) {
                assertThat(dirs.filter(Files::isDirectory)).isEmpty();
            }
        }
    }
}
