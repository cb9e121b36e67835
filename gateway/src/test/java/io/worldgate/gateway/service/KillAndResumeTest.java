package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway process is killed with SIGKILL mid-run; a new gateway resumes the run from its
 * last checkpoint and the step counter goes on from there to the budget.
 */
class KillAndResumeTest {

    @Test
    void aRunSurvivesKillNineOfItsGateway(@TempDir Path tmp) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path runs = tmp.resolve("runs");
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                "io.worldgate.gateway.cli.Main", "--plugins-dir", deploy.toString(), "--runs-dir", runs.toString(),
                "serve", "--port", "0")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile()).start();
        String runId;
        long totalSteps = 6_000;
        try {
            Path discovery = runs.resolve(GatewayServer.DISCOVERY_FILE);
            await("the gateway process to serve", 120, () -> Files.isRegularFile(discovery));
            var found = new com.fasterxml.jackson.databind.ObjectMapper().readTree(discovery.toFile());
            try (RemoteGatewayClient client = new RemoteGatewayClient(found.get("address").asText(), found.get("token").asText())) {
                RunStatus s = client.start(new RunRequest("random", null, Map.of("act_delay_ms", "1"), "java:CartPole", Map.of(), 2,
                        totalSteps, 5, 0, 0, 400, 0, 1, "cpu"), null);
                runId = s.runId();
                await("two checkpoints", 60, () -> client.status(runId).step() > 1_000);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no final checkpoint
            child.waitFor();
        }
        assertThat(child.exitValue()).isEqualTo(137);

        try (Gateway gateway = Gateway.start(deploy, runs)) {
            Path latest = RunManager.latestCheckpoint(runs.resolve(runId)).orElseThrow();
            Properties info = new Properties();
            try (var in = Files.newInputStream(latest.resolve(TrainingRun.CHECKPOINT_INFO))) {
                info.load(in);
            }
            long checkpointStep = Long.parseLong(info.getProperty("step"));
            List<RunStatus> stored = gateway.runs().list(true);
            assertThat(stored).singleElement().satisfies(s -> {
                assertThat(s.state()).isEqualTo(RunState.STOPPED);
                assertThat(s.message()).contains("ended without stopping it")
                        .contains("resume continues from step " + checkpointStep);
            });
            assertThat(checkpointStep).isGreaterThanOrEqualTo(800);

            io.worldgate.gateway.run.RunFixtures.Events events = new io.worldgate.gateway.run.RunFixtures.Events();
            TrainingRun resumed = gateway.runs().resume(runId, events);
            assertThat(resumed.status().step()).isEqualTo(checkpointStep);
            RunStatus end = resumed.await(Duration.ofMinutes(3));
            assertThat(end.state()).isEqualTo(RunState.FINISHED);
            assertThat(end.step()).isEqualTo(totalSteps);
            // The experience collected before the kill is there: every checkpoint flushes it, so at
            // least the steps up to the last checkpoint were recovered.
            assertThat(events.of(io.worldgate.gateway.run.RunEvent.ExperienceRecovered.class)).singleElement().satisfies(r -> {
                assertThat(r.steps()).isGreaterThanOrEqualTo(checkpointStep);
                assertThat(r.step()).isEqualTo(checkpointStep);
                assertThat(r.droppedChunks()).isZero();
            });
            assertThat(Files.readString(runs.resolve(runId).resolve("status.json"))).contains("\"FINISHED\"");
        }
        assertThat(new File(tmp.toFile(), "serve.log")).exists();
    }
}
