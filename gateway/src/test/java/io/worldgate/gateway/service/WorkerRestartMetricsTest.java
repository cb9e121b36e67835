package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.run.internal.metrics.JsonlMetricsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on real Python workers, one of them killed: the episodes the restart cut are marked and
 * kept out of the returns (so out of the learning curve and the summary), and the restart is
 * counted in the metrics and the status.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerRestartMetricsTest {
    private static final int LENGTH = 50;

    @TempDir
    Path tmp;

    @Test
    void episodesCutByARestartAreMarkedAndLeftOutOfTheReturns() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("../.venv/bin/python")), "the env-bridge venv is missing");
        try (ServiceFixture service = new ServiceFixture(tmp, "random-1.jar", null)) {
            RunRequest request = new RunRequest("random", null, Map.of("act_delay_ms", "2"), "const:2",
                    Map.of("length", Integer.toString(LENGTH), "bridge.workers", "2"), 4, 8_000, 1, 0, 0, 0, 0, 1, "cpu");
            TrainingRun run = service.gateway.runs().start(request);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (run.status().step() < 4 * (LENGTH + LENGTH / 2) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            List<ProcessHandle> workers = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("worldgate_envs")).toList();
            assertThat(workers).hasSize(2);
            workers.get(1).destroyForcibly();
            RunStatus s = run.await(Duration.ofSeconds(120));
            assertThat(s.state()).isEqualTo(RunState.FINISHED);

            Path dir = run.config().runDirectory();
            Map<String, JsonlMetricsWriter.Series> scalars = JsonlMetricsWriter.readScalars(dir.resolve("metrics.jsonl"));
            // const episodes all last LENGTH steps; a cut one is shorter and must not pass for an episode
            assertThat(scalars.get("episode/length").values()).as("lengths of the episodes with a return")
                    .containsOnly((double) LENGTH);
            assertThat(scalars.get("episode/return").size()).isEqualTo(scalars.get("episode/length").size());
            assertThat(scalars.get("episode/cut_return").size()).as("cut episodes").isBetween(1, 2);
            assertThat(scalars.get("bridge/worker_restarts").values()).containsExactly(1.0);
            double[] waiting = scalars.get("bridge/waiting_steps").values();
            assertThat(waiting[waiting.length - 1]).as("env steps lost while the worker restarted").isPositive();

            JsonNode status = new ObjectMapper().readTree(dir.resolve("status.json").toFile());
            assertThat(status.path("worker_restarts").asLong(-1)).isEqualTo(1);
            assertThat(status.path("cut_episodes").asLong(-1)).isEqualTo(scalars.get("episode/cut_return").size());
            assertThat(status.path("episodes").asLong()).isEqualTo(scalars.get("episode/return").size());
        }
    }
}
