package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad env input and damaged run directories, through the in-process command line. */
class RunInputCliTest {
    @TempDir
    Path tmp;
    private Path deploy;
    private Path runs;

    @BeforeEach
    void deployRandom() throws Exception {
        deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        runs = tmp.resolve("runs");
    }

    private CliRun run(String... args) {
        return CliRun.with(deploy, runs, args);
    }

    private long runDirectories() throws Exception {
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.filter(Files::isDirectory).count();
        }
    }

    @Test
    void anUnknownJavaEnvIsBadInputAndLeavesNoRun() throws Exception {
        CliRun r = run("train", "--agent", "random", "--env", "java:Nope", "--steps", "100", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("java:CartPole").doesNotContain("\tat ");
        assertThat(runDirectories()).isZero();
    }

    @Test
    void anOptionTheFamilyDoesNotTakeIsBadInput() throws Exception {
        CliRun r = run("train", "--agent", "random", "--env", "java:CartPole", "--env-option", "size=64", "--steps", "100", "--json");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("max_episode_steps");
        assertThat(runDirectories()).isZero();
    }

    @Test
    void aNegativeTrainRatioIsBadInputNotTheAgentsDefault() throws Exception {
        for (String ratio : new String[] {"-3", "NaN"}) {
            CliRun r = run("train", "--agent", "random", "--env", "java:CartPole", "--train-ratio", ratio, "--steps", "100",
                    "--json");
            assertThat(r.exit()).as("--train-ratio %s: %s", ratio, r.err()).isEqualTo(2);
        }
        assertThat(runDirectories()).isZero();
    }

    @Test
    void runsListAllMarksADamagedRunDirectoryAndListsTheOthers() throws Exception {
        assertThat(run("train", "--agent", "random", "--env", "java:CartPole", "--steps", "50", "--envs", "1", "--json").exit())
                .isZero();
        Files.writeString(Files.createDirectories(runs.resolve("broken")).resolve("config.json"), "{ not json");
        CliRun r = run("runs", "list", "--all", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode list = Json.mapper().readTree(r.out());
        assertThat(list).hasSize(2);
        assertThat(list).anySatisfy(s -> {
            assertThat(s.get("runId").asText()).isEqualTo("broken");
            assertThat(s.get("state").asText()).isEqualTo("DAMAGED");
            assertThat(s.get("message").asText()).contains("config.json");
        });
        assertThat(list).anySatisfy(s -> assertThat(s.get("state").asText()).isEqualTo("FINISHED"));
    }

    @Test
    void theCheckpointAndExperienceLimitsAreTrainOptions() throws Exception {
        CliRun r = run("train", "--agent", "random", "--env", "java:CartPole", "--steps", "3000", "--envs", "1",
                "--checkpoint-every", "500", "--keep-checkpoints", "2", "--experience-capacity", "1MiB", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        Path runDir;
        try (Stream<Path> dirs = Files.list(runs)) {
            runDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        try (Stream<Path> checkpoints = Files.list(runDir.resolve("checkpoints"))) {
            assertThat(checkpoints.count()).isEqualTo(2);
        }
        JsonNode config = Json.mapper().readTree(runDir.resolve("config.json").toFile()).get("run");
        assertThat(config.get("experienceCapacityBytes").asLong()).isEqualTo(1L << 20);
        assertThat(run("train", "--agent", "random", "--env", "java:CartPole", "--experience-capacity", "lots").exit())
                .isEqualTo(2);
    }
}
