package io.worldgate.gateway.cli.internal;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.BrittleEnvs;
import io.worldgate.gateway.run.FlaggingEnvs;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code train} follows a run to its end, and what it reports then. */
class TrainingSessionTest {
    @TempDir
    Path tmp;

    /** How a followed run ended, and the gateway's runs after it. */
    private record Followed(TrainingSession.Outcome outcome, List<RunStatus> runs) {}

    /** Follows {@code request} with the random agent deployed and {@code envs} registered. */
    private Followed follow(EnvFactory envs, RunRequest request) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Gateway gateway = Gateway.start(deploy, tmp.resolve("runs"));
        try (GatewayClient client = new LocalGatewayClient(gateway); // closes the gateway
                OrderlyExit exit = OrderlyExit.install()) {
            gateway.envs().register(envs);
            await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
            CompletableFuture<TrainingSession.Outcome> followed = CompletableFuture.supplyAsync(() -> {
                try {
                    return TrainingSession.quietly(client, request, exit);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            return new Followed(followed.get(60, TimeUnit.SECONDS), client.runs(true));
        }
    }

    /** {@code train} returns when its run ends, even when the run's environments threw an Error on close. */
    @Test
    void trainReturnsWhenClosingTheEnvironmentsThrowsAnError() throws Exception {
        RunRequest request = new RunRequest("random", null, Map.of(), "brittle:CartPole", Map.of(), 2, 300, 1, 0, 0, 0, 0,
                1, "cpu");
        Followed f = follow(new BrittleEnvs(), request);

        assertThat(f.outcome().status().state()).isEqualTo(RunState.FINISHED);
        assertThat(f.outcome().exitCode()).isZero();
        assertThat(f.runs()).extracting(RunStatus::runId, RunStatus::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(f.outcome().status().runId(), RunState.FINISHED));
    }

    @Test
    void theOutcomeCarriesTheLastEvaluationsSuccessRate() throws Exception {
        // one evaluation at the end: 2 episodes, one on each of 2 envs, of which the first succeeds
        RunRequest request = new RunRequest("random", null, Map.of(), "flagging:PointMass", Map.of(), 2, 100, 1, 0, 0,
                0, 100, 2, "cpu");
        TrainingSession.Outcome outcome = follow(new FlaggingEnvs(), request).outcome();

        assertThat(outcome.status().state()).isEqualTo(RunState.FINISHED);
        assertThat(outcome.lastEvaluation()).isPresent();
        assertThat(outcome.lastEvaluationInfos()).containsExactly(Map.entry("success", 0.5));
    }
}
