package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code learn}, {@code learners list}, {@code runs list} and {@code resume} for learner runs,
 * through the in-process command line with a real random-agent run as the source; bad input exits
 * with 2, without a stack trace and without a run directory.
 */
class LearnCliTest {
    @TempDir
    Path tmp;

    @Test
    void aLearnerRunFromTheCommandLineAndItsBadInputs() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path runs = tmp.resolve("runs");
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Files.copy(TestBundles.framestatsPlugin(), deploy.resolve("framestats.jar"));

        CliRun train = CliRun.with(deploy, runs, "train", "--agent", "random", "--env", "java:CartPole", "--envs", "2",
                "--steps", "1000", "--json");
        assertThat(train.exit()).as(train.err()).isZero();
        String source = Json.mapper().readTree(train.out()).path("run_id").asText();

        CliRun listed = CliRun.with(deploy, runs, "learners", "list", "--json");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(Json.mapper().readTree(listed.out()).findValuesAsText("learner")).singleElement().asString().startsWith("framestats@");

        CliRun learn = CliRun.with(deploy, runs, "learn", "framestats", "--from-run", source, "--updates", "40",
                "--checkpoint-every", "15", "--set", "batch=8", "--json");
        assertThat(learn.exit()).as(learn.err()).isZero();
        JsonNode summary = Json.mapper().readTree(learn.out());
        assertThat(summary.path("state").asText()).isEqualTo("FINISHED");
        assertThat(summary.path("updates").asLong()).isEqualTo(40);
        assertThat(summary.path("kind").asText()).isEqualTo("learner");
        assertThat(Path.of(summary.path("checkpoint").asText()).getFileName().toString()).startsWith("0003-step40-framestats-");
        String learnerRun = summary.path("run_id").asText();

        CliRun all = CliRun.with(deploy, runs, "runs", "list", "--all", "--json");
        assertThat(all.exit()).as(all.err()).isZero();
        JsonNode row = null;
        for (JsonNode r : Json.mapper().readTree(all.out())) {
            if (r.path("runId").asText().equals(learnerRun)) {
                row = r;
            }
        }
        assertThat(row).as(all.out()).isNotNull();
        assertThat(row.path("state").asText()).isEqualTo("FINISHED");
        assertThat(row.path("agent").asText()).isEqualTo(summary.path("learner").asText()).startsWith("framestats@");

        long before = runDirectories(runs);
        String[][] bad = {
            {"learn", "nope", "--from-run", source},
            {"learn", "framestats", "--from-run", "no-such-run"},
            {"learn", "framestats", "--from-run", learnerRun},
            {"learn", "framestats", "--from-run", source, "--set", "batch=0"},
            {"learn", "framestats", "--from-run", source, "--updates", "0"},
            {"resume", learnerRun},
        };
        for (String[] args : bad) {
            CliRun r = CliRun.with(deploy, runs, args);
            System.out.println(String.join(" ", args) + " -> exit " + r.exit() + ", " + r.err().strip());
            assertThat(r.exit()).as("%s: %s", String.join(" ", args), r.err()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: ").doesNotContain("\tat ");
        }
        assertThat(runDirectories(runs)).isEqualTo(before);
    }

    private static long runDirectories(Path runs) throws Exception {
        try (Stream<Path> dirs = Files.list(runs)) {
            return dirs.filter(Files::isDirectory).count();
        }
    }
}
