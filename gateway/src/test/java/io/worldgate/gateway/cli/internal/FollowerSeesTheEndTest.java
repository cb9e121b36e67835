package io.worldgate.gateway.cli.internal;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.BrittleEnvs;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train} returns when its run ends, even when the run's environments threw an Error on close. */
class FollowerSeesTheEndTest {

    @Test
    void trainReturnsWhenClosingTheEnvironmentsThrowsAnError(@TempDir Path tmp) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Gateway gateway = Gateway.start(deploy, tmp.resolve("runs"));
        try (GatewayClient client = new LocalGatewayClient(gateway); // closes the gateway
                OrderlyExit exit = OrderlyExit.install()) {
            gateway.envs().register(new BrittleEnvs());
            await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
            RunRequest request = new RunRequest("random", null, Map.of(), "brittle:CartPole", Map.of(), 2, 300, 1, 0, 0, 0, 0,
                    1, "cpu");

            CompletableFuture<TrainingSession.Outcome> followed = CompletableFuture.supplyAsync(() -> {
                try {
                    return TrainingSession.quietly(client, request, exit);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            TrainingSession.Outcome outcome = followed.get(60, TimeUnit.SECONDS);
            assertThat(outcome.status().state()).isEqualTo(RunState.FINISHED);
            assertThat(outcome.exitCode()).isZero();
            assertThat(client.runs(true)).extracting(RunStatus::runId, RunStatus::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(outcome.status().runId(), RunState.FINISHED));
        }
    }
}
