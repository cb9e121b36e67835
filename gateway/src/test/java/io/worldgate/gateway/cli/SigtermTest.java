package io.worldgate.gateway.cli;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code worldgate train} and {@code resume} in a real child JVM, ended with SIGTERM: the run
 * stops at a step boundary as a normal stop does, and the command still writes its checkpoint,
 * learning curve and JSON summary before the JVM goes.
 */
class SigtermTest {
    /** Exit status of a JVM ended by SIGTERM (128 + 15), after its shutdown hooks ran. */
    private static final int SIGTERM_STATUS = 143;

    @TempDir
    Path tmp;

    @Test
    void sigtermStopsAnInProcessTrainAndResumeInOrder() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Path runs = tmp.resolve("runs");

        Ended train = terminate(runs, "train", "--agent", "random", "--env", "java:CartPole", "--steps", "100000000",
                "--set", "act_delay_ms=1", "--json");
        JsonNode first = train.summary();
        assertThat(first.get("state").asText()).isEqualTo("STOPPED");
        assertThat(first.get("steps").asLong()).isPositive();
        Path runDir = Path.of(first.get("run_directory").asText());
        assertThat(runDir.resolve("learning_curve.png")).isNotEmptyFile();
        Path checkpoint = Path.of(first.get("checkpoint").asText());
        assertThat(checkpoint.resolve(TrainingRun.CHECKPOINT_INFO)).isRegularFile();
        assertThat(Files.readString(checkpoint.resolve(TrainingRun.CHECKPOINT_INFO)))
                .contains("step=" + first.get("steps").asLong());

        Ended resume = terminate(runs, "resume", first.get("run_id").asText(), "--json");
        JsonNode second = resume.summary();
        assertThat(second.get("state").asText()).isEqualTo("STOPPED");
        assertThat(second.get("steps").asLong()).isGreaterThan(first.get("steps").asLong());
        assertThat(Path.of(second.get("checkpoint").asText())).isNotEqualTo(checkpoint);
        assertThat(runDir.resolve("learning_curve.png")).isNotEmptyFile();
    }

    /**
     * A run on Python workers whose steps are slow: the workers must outlive the run's stop at its
     * step boundary, although the JVM's worker reaper runs on the same signal.
     */
    @Test
    void sigtermStopsARunOnPythonWorkersBeforeTheWorkersAreEnded() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        Ended train = terminate(tmp.resolve("runs"), "train", "--agent", "random", "--env", "const:4", "--env-option",
                "step_delay_ms=1500", "--envs", "2", "--steps", "100000000", "--json");
        JsonNode summary = train.summary();
        assertThat(summary.get("state").asText()).isEqualTo("STOPPED");
        assertThat(Path.of(summary.get("checkpoint").asText()).resolve(TrainingRun.CHECKPOINT_INFO)).isRegularFile();
    }

    private static final Pattern ERROR_LINE = Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\.\\d{3} ERROR ");

    private record Ended(int exit, String out, String err) {
        JsonNode summary() throws Exception {
            assertThat(exit).as(err).isEqualTo(SIGTERM_STATUS);
            assertThat(err).doesNotContain("Shutdown in progress").doesNotContain("Exception in thread");
            // a WARN may name an exception class; an ERROR line is a failure (logback pattern: time, level, logger)
            assertThat(err.lines()).as("ERROR log lines").noneMatch(l -> ERROR_LINE.matcher(l).lookingAt());
            assertThat(out).as("the JSON summary on stdout (stderr: %s)", err).isNotBlank();
            return Json.mapper().readTree(out);
        }
    }

    /** Runs the CLI in a child JVM until its run has stepped a while, then sends it SIGTERM. */
    private Ended terminate(Path runs, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "io.worldgate.gateway.cli.Main",
                "--plugins-dir", tmp.resolve("deploy").toString(), "--runs-dir", runs.toString()));
        args.addAll(List.of(command));
        Path out = tmp.resolve(command[0] + ".out");
        Path err = tmp.resolve(command[0] + ".err");
        Process child = new ProcessBuilder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long before = stepsRecorded(runs);
            await("the run to step", 120, () -> stepsRecorded(runs) > before);
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child exits after SIGTERM").isTrue();
        } finally {
            child.destroyForcibly();
        }
        return new Ended(child.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Bytes of metrics.jsonl in every run directory: grows while a run steps. */
    private static long stepsRecorded(Path runs) {
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            long bytes = 0;
            for (Path metrics : dirs.map(d -> d.resolve("metrics.jsonl")).filter(Files::isRegularFile).toList()) {
                bytes += Files.size(metrics);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
