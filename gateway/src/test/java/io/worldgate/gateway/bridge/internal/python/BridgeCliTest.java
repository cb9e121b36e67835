package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.cli.CliRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI's bridge flags: Python families in {@code envs list}, {@code train --transport/--workers/--env-worker}. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BridgeCliTest {
    @TempDir
    Path tmp;
    private Path deploy;

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    @BeforeEach
    void deployRandom() throws Exception {
        Path plugin = Path.of(System.getProperty("worldgate.test.randomPlugin", "missing"));
        assumeTrue(Files.isRegularFile(plugin), "the random plugin is not built");
        deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(plugin, deploy.resolve("random.jar"));
    }

    private CliRun run(String... args) {
        return CliRun.with(deploy, tmp.resolve("runs"), prepend("--in-process", args));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void envsListShowsThePythonFamilies() throws Exception {
        CliRun r = run("envs", "list", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(r.out());
        StringBuilder families = new StringBuilder();
        rows.forEach(row -> families.append(row.get("family").asText()).append(' '));
        assertThat(families.toString()).contains("java").contains("dmc").contains("atari").contains("metaworld")
                .contains("gym").contains("doom").contains("const");
    }

    @Test
    void envsListSpecOpensOnePythonEnvironmentAndPrintsItsSpaces() throws Exception {
        CliRun r = run("envs", "list", "--spec", "gym:CartPole-v1", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("observations").get("state").asText()).isEqualTo("float32[4]");
        assertThat(doc.get("action").asText()).isEqualTo("discrete(2)");
        CliRun list = run("envs", "list");
        assertThat(list.out()).contains("--spec gym:CartPole-v1");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"py4j", "shm"})
    void trainsOverATransportWithTwoWorkers(String transport) throws Exception {
        CliRun r = run("train", "--agent", "random", "--env", "gym:CartPole-v1", "--envs", "2", "--workers", "2",
                "--transport", transport, "--steps", "400", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(r.out());
        assertThat(summary.get("state").asText()).isEqualTo("FINISHED");
        assertThat(summary.get("steps").asLong()).isEqualTo(400);
        assertThat(summary.get("episodes").asInt()).isPositive();
    }

    @Test
    void trainsOnAWorkerTheUserStarted() throws Exception {
        Process p = new ProcessBuilder(PythonLocator.locate(null).toString(), "-m", "worldgate_envs", "serve", "--env",
                "const:3", "--num-envs", "2", "--listen", "127.0.0.1:0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            String address = WorkerProcess.parseHandshake(line.substring(WorkerProcess.HANDSHAKE_PREFIX.length())).address();
            CliRun r = run("train", "--agent", "random", "--env", "const:3", "--envs", "2", "--env-worker", address,
                    "--steps", "300", "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode summary = new ObjectMapper().readTree(r.out());
            assertThat(summary.get("state").asText()).isEqualTo("FINISHED");
            assertThat(summary.get("episodes").asInt()).as("const episodes are 100 steps").isGreaterThanOrEqualTo(2);
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
