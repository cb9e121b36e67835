package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.worldgate.proto.service.v1.StartRunRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run requests whose bridge options reach beyond what the gateway allows (an env worker it was not
 * started with, thousands of worker processes, huge images, timeouts of days) are refused before a run exists.
 */
class BridgeRequestLimitsTest {
    @TempDir
    Path tmp;
    private ServiceFixture service;

    @BeforeEach
    void serve() throws Exception {
        service = new ServiceFixture(tmp, "random-1.jar", null);
    }

    @AfterEach
    void close() {
        service.close();
    }

    private void assertRefused(String env, Map<String, String> envOptions) {
        StartRunRequest r = StartRunRequest.newBuilder().setAgent("random").setEnv(env).putAllEnvOptions(envOptions)
                .setNumEnvs(2).setSteps(100).build();
        assertThatThrownBy(() -> service.stub().startRun(r))
                .as("%s %s", env, envOptions)
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aRequestCannotSendTheGatewayToAnyAddress() throws Exception {
        assertRefused("const:2", Map.of("bridge.env_workers", "169.254.169.254:80"));
        assertThat(service.client.runs(true)).isEmpty();
    }

    @Test
    void workerCountsImageSizesAndTimeoutsAreBounded() throws Exception {
        assertRefused("const:2", Map.of("bridge.workers", "4096"));
        assertRefused("dmc:cartpole-swingup", Map.of("size", "100000"));
        assertRefused("const:2", Map.of("image", "65536"));
        assertRefused("const:2", Map.of("bridge.call_timeout_s", "1e12"));
        assertRefused("const:2", Map.of("bridge.start_timeout_s", "86400"));
        assertThat(service.client.runs(true)).isEmpty();
    }
}
