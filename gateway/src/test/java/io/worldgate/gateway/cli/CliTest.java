package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process against a real deploy directory and plugin host. */
class CliTest {
    @TempDir
    Path tmp;
    private Path deploy;

    @BeforeEach
    void deployRandom() throws Exception {
        deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
    }

    private CliRun run(String... args) {
        return CliRun.with(deploy, tmp.resolve("runs"), args);
    }

    @Test
    void everyCommandAtEveryLevelAnswersHelpWithItsUsage() {
        List<List<String>> paths = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new Main()), List.of(), paths);
        assertThat(paths).as("the command tree").hasSizeGreaterThan(10)
                .contains(List.of("runs", "list"), List.of("eval"), List.of("train"));
        for (List<String> path : paths) {
            List<String> args = new java.util.ArrayList<>(path);
            args.add("--help");
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s --help: %s", path, r.err()).isZero();
            assertThat(r.out()).as("%s --help", path).startsWith("Usage: worldgate " + String.join(" ", path));
        }
    }

    private static void collect(picocli.CommandLine command, List<String> path, List<List<String>> into) {
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            List<String> p = new java.util.ArrayList<>(path);
            p.add(name);
            into.add(p);
            collect(sub, p, into);
        });
    }

    @Test
    void pluginsListShowsEveryPluginWithItsStateAndErrors() throws Exception {
        Files.write(deploy.resolve("broken.jar"), new byte[] {0, 1, 2});
        CliRun r = run("plugins", "list", "--json");
        assertThat(r.exit()).as("a failed plugin makes the exit code 1").isEqualTo(1);
        JsonNode list = Json.mapper().readTree(r.out());
        assertThat(list).hasSize(2);
        JsonNode broken = list.get(0);
        assertThat(broken.get("file").asText()).isEqualTo("broken.jar");
        assertThat(broken.get("state").asText()).isEqualTo("FAILED");
        assertThat(broken.get("error").asText()).contains("not a readable jar");
        JsonNode random = list.get(1);
        assertThat(random.get("symbolicName").asText()).isEqualTo("io.worldgate.plugin.random");
        assertThat(random.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(random.get("agents").get(0).asText()).isEqualTo("random");
    }

    @Test
    void trainRunsToItsBudgetAndWritesTheRunDirectory() throws Exception {
        CliRun r = run("train", "--agent", "random", "--env", "java:PointMass", "--steps", "2000", "--envs", "2",
                "--set", "action_scale=0.5", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode summary = Json.mapper().readTree(r.out());
        assertThat(summary.get("state").asText()).isEqualTo("FINISHED");
        assertThat(summary.get("steps").asLong()).isEqualTo(2000);
        // Each env takes 1000 steps; episodes are 200 steps, and after the first one each also spends
        // one step on its reset (the auto-reset rule): 200 + 3 x 201 = 803 <= 1000 < 1004, so 4 per env.
        assertThat(summary.get("episodes").asInt()).isEqualTo(8);
        Path runDir = Path.of(summary.get("run_directory").asText());
        JsonNode config = Json.mapper().readTree(runDir.resolve("config.json").toFile());
        assertThat(config.get("agent_config").get("action_scale").asText()).isEqualTo("0.5");
        assertThat(Path.of(summary.get("checkpoint").asText()).resolve("checkpoint.properties")).exists();
    }

    @Test
    void anUnknownConfigKeyIsABadInputErrorListingTheKeys() {
        CliRun r = run("train", "--agent", "random", "--env", "java:CartPole", "--set", "learning_rate=3");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: agent random has no config key 'learning_rate'")
                .contains("keys: act_delay_ms, action_scale").doesNotContain("Exception");
    }

    @Test
    void withoutTrainRatioAnAgentTrainsAtItsOwnDefaultAndOneThatDeclaresNoneIsNotTrained() throws Exception {
        Files.copy(TestBundles.dreamerPlugin(), deploy.resolve("dreamer.jar"));
        CliRun dreamer = run("train", "--agent", "dreamer", "--preset", "debug", "--env", "java:CartPole", "--steps", "40",
                "--envs", "1", "--prefill", "32", "--set", "batch_size=2", "--set", "batch_length=4", "--device", "cpu", "--json");
        assertThat(dreamer.exit()).as(dreamer.err()).isZero();
        assertThat(Json.mapper().readTree(dreamer.out()).get("updates").asLong()).as("dreamer declares 0.5 updates per step")
                .isPositive();
        CliRun random = run("train", "--agent", "random", "--env", "java:CartPole", "--steps", "40", "--envs", "1", "--json");
        assertThat(random.exit()).as(random.err()).isZero();
        assertThat(Json.mapper().readTree(random.out()).get("updates").asLong()).isZero();
        CliRun none = run("train", "--agent", "dreamer", "--preset", "debug", "--env", "java:CartPole", "--steps", "40",
                "--envs", "1", "--train-ratio", "0", "--device", "cpu", "--json");
        assertThat(none.exit()).as(none.err()).isZero();
        assertThat(Json.mapper().readTree(none.out()).get("updates").asLong()).as("--train-ratio 0 asks for no training")
                .isZero();
    }

    @Test
    void envsListShowsTheJavaEnvironmentsObservationsAndActionsAndSpecOpensOne() throws Exception {
        CliRun r = run("envs", "list", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode cartPole = null;
        for (JsonNode row : Json.mapper().readTree(r.out())) {
            if (row.get("id").asText().equals("java:CartPole")) {
                cartPole = row;
            }
        }
        assertThat(cartPole).isNotNull();
        assertThat(cartPole.get("observations").get("state").asText()).isEqualTo("float32[4]");
        assertThat(cartPole.get("action").asText()).isEqualTo("discrete(2)");

        CliRun spec = run("envs", "list", "--spec", "java:PointMass", "--json");
        assertThat(spec.exit()).as(spec.err()).isZero();
        JsonNode doc = Json.mapper().readTree(spec.out());
        assertThat(doc.get("observations").get("state").asText()).startsWith("float32[");
        assertThat(doc.get("action").asText()).isEqualTo("float32[1]");
        assertThat(doc.get("max_episode_steps").asInt()).isEqualTo(200);

        CliRun unknown = run("envs", "list", "--spec", "mujoco:Ant");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown environment 'mujoco:Ant'").doesNotContain("Exception");
    }

    @Test
    void anUnknownAgentSaysWhatIsDeployed() {
        CliRun r = run("train", "--agent", "dreamer", "--env", "java:CartPole");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no deployed plugin offers agent 'dreamer'").contains("available: random@");
    }

    @Test
    void evaluationsOfNoEpisodesAreABadInputNotOneEpisode() {
        CliRun r = run("train", "--agent", "random", "--env", "java:CartPole", "--steps", "10", "--eval-every", "5",
                "--eval-episodes", "0", "--json");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--eval-episodes").doesNotContain("Exception");
        assertThat(tmp.resolve("runs")).as("nothing is created for a rejected request").doesNotExist();
    }

    @Test
    void anUnknownEnvironmentIsABadInputErrorListingTheFamilies() {
        CliRun r = run("train", "--agent", "random", "--env", "mujoco:Ant", "--steps", "10", "--json");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("error: unknown environment 'mujoco:Ant'").contains("families: java");
        assertThat(tmp.resolve("runs")).as("nothing is created for a rejected request").doesNotExist();
    }

    @Test
    void serveKeepsMetricsOnLoopbackWhateverItsBindAndTakesNoTokenOnTheCommandLineWithoutAWarning() {
        picocli.CommandLine cli = new picocli.CommandLine(new Main());
        picocli.CommandLine.ParseResult parsed = cli.parseArgs("serve", "--bind", "0.0.0.0");
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(serve.bind).isEqualTo("0.0.0.0");
        assertThat(serve.metricsBind).isEqualTo("127.0.0.1");
        assertThat(serve.allowPluginInstall).as("plugin installs are off by default").isFalse();
    }

    @Test
    void theTokenComesFromAFileOrTheEnvironmentAndTheCommandLineOneIsDeprecated() throws Exception {
        Path file = tmp.resolve("token");
        Files.writeString(file, "from-file\n");
        assertThat(io.worldgate.gateway.cli.internal.Tokens.given(file, "cli", java.util.Map.of("WORLDGATE_TOKEN", "env")))
                .isEqualTo("from-file");
        assertThat(io.worldgate.gateway.cli.internal.Tokens.given(null, "cli", java.util.Map.of("WORLDGATE_TOKEN", "env")))
                .isEqualTo("env");
        assertThat(io.worldgate.gateway.cli.internal.Tokens.given(null, null, java.util.Map.of())).isNull();
        Files.writeString(file, "  \n");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> io.worldgate.gateway.cli.internal.Tokens.given(file, null, java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
    }

    @Test
    void agentsDescribeListsTheConfigKeysWithDefaultsRangesAndPresets() {
        CliRun r = run("agents", "describe", "random");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("action_scale\\s+DOUBLE\\s+1\\.0\\s+\\[0, 1\\]")
                .containsPattern("act_delay_ms\\s+INT\\s+0\\s+\\[0, 10000\\]")
                .contains("preset default (default): action_scale=1.0").contains("preset gentle: action_scale=0.25");
        CliRun unknown = run("agents", "describe", "dreamer");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("no deployed plugin offers agent 'dreamer'").contains("deployed: random@");
    }
}
