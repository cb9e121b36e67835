package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight runs at once in one service: each finishes with its own step count and directory. */
class ConcurrentRunsTest {

    @Test
    void eightConcurrentRunsFinishWithTheRightStepCountsAndTheirOwnDirectories(@TempDir Path tmp) throws Exception {
        try (ServiceFixture service = new ServiceFixture(tmp, "random.jar", null)) {
            RemoteGatewayClient client = service.client;
            List<RunStatus> started = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int envs = 1 + i % 4;
                long steps = 6_000L * envs + 1_000L * i * envs;
                String env = i % 2 == 0 ? "java:CartPole" : "java:PointMass";
                started.add(client.start(new RunRequest("random", null, Map.of(), env, Map.of(), envs, steps, i, 0, 0, 2_000,
                        0, 1, "cpu"), null));
            }
            await("all eight finished", 120, () -> started.stream().allMatch(s -> client.status(s.runId()).state().isTerminal()));

            ObjectMapper json = new ObjectMapper();
            assertThat(new HashSet<>(started.stream().map(RunStatus::runId).toList())).hasSize(8);
            for (RunStatus s : started) {
                RunStatus end = client.status(s.runId());
                assertThat(end.state()).as(end.message()).isEqualTo(RunState.FINISHED);
                assertThat(end.step()).isEqualTo(s.totalSteps());
                Path dir = Path.of(client.runDirectory(s.runId()));
                assertThat(dir.getParent()).isEqualTo(tmp.resolve("runs").toAbsolutePath());
                JsonNode status = json.readTree(dir.resolve("status.json").toFile());
                assertThat(status.get("state").asText()).isEqualTo("FINISHED");
                assertThat(status.get("step").asLong()).isEqualTo(s.totalSteps());
                assertThat(json.readTree(dir.resolve("config.json").toFile()).get("run").get("runId").asText()).isEqualTo(s.runId());
                try (var checkpoints = Files.list(dir.resolve("checkpoints"))) {
                    assertThat(checkpoints.count()).as("periodic and final checkpoints").isGreaterThanOrEqualTo(2);
                }
            }
        }
    }
}
