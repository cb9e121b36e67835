package io.worldgate.gateway.cli.internal;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.FlaggingEnvs;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code train} reports when its run ends. */
class TrainingSessionTest {

    @Test
    void theOutcomeCarriesTheLastEvaluationsSuccessRate(@TempDir Path tmp) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Gateway gateway = Gateway.start(deploy, tmp.resolve("runs"));
        try (GatewayClient client = new LocalGatewayClient(gateway); // closes the gateway
                OrderlyExit exit = OrderlyExit.install()) {
            gateway.envs().register(new FlaggingEnvs());
            await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
            // one evaluation at the end: 2 episodes, one on each of 2 envs, of which the first succeeds
            RunRequest request = new RunRequest("random", null, Map.of(), "flagging:PointMass", Map.of(), 2, 100, 1, 0, 0,
                    0, 100, 2, "cpu");

            TrainingSession.Outcome outcome = TrainingSession.quietly(client, request, exit);

            assertThat(outcome.status().state()).isEqualTo(RunState.FINISHED);
            assertThat(outcome.lastEvaluation()).isPresent();
            assertThat(outcome.lastEvaluationInfos()).containsExactly(Map.entry("success", 0.5));
        }
    }
}
