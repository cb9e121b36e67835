package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunFixtures;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.testkit.ForwardingVectorEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that never lose work, with a real plugin host, real runs and real run directories: the
 * checkpoints kept, a checkpoint when the environment fails, a damaged checkpoint passed over,
 * a damaged run directory listed, bad env input refused up front, and an exact step budget.
 */
class DurableRunsTest {
    @TempDir
    Path tmp;
    private Path runs;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        runs = tmp.resolve("runs");
        gateway = Gateway.start(deploy, runs);
        await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
    }

    @AfterEach
    void close() {
        gateway.close();
    }

    private static RunRequest request(String env, int envs, long steps, long checkpointEvery, Map<String, String> agent) {
        return new RunRequest("random", null, agent, env, Map.of(), envs, steps, 1, 0, 0, checkpointEvery, 0, 1, "cpu");
    }

    /** Checkpoint directories of a run, oldest first. */
    private static List<Path> checkpoints(Path runDir) throws IOException {
        Path dir = runDir.resolve("checkpoints");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(Files::isDirectory)
                    .sorted((a, b) -> Integer.compare(number(a), number(b))).toList();
        }
    }

    private static int number(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.indexOf('-')));
    }

    private static long stepOf(Path checkpoint) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(checkpoint.resolve(TrainingRun.CHECKPOINT_INFO))) {
            p.load(in);
        }
        return Long.parseLong(p.getProperty("step").trim());
    }

    private static List<Long> metricSteps(Path runDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            steps.add(json.readTree(line).get("step").asLong());
        }
        return steps;
    }

    // ------------------------------------------------------------------ item 6: limits

    @Test
    void onlyTheNewestFiveCheckpointsAreKeptByDefault() throws Exception {
        TrainingRun run = gateway.runs().start(request("java:CartPole", 2, 20_000, 500, Map.of()));
        assertThat(run.await(Duration.ofMinutes(2)).state()).isEqualTo(RunState.FINISHED);
        List<Path> left = checkpoints(run.config().runDirectory());
        assertThat(left).as("40 were written").hasSize(5);
        assertThat(stepOf(left.get(4))).isEqualTo(20_000);
        assertThat(stepOf(left.get(0))).isEqualTo(18_000);
    }

    @Test
    void retentionAndExperienceCapacityAreSetPerRunAndRecorded() throws Exception {
        long capacity = 256 << 10;
        RunRequest r = new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 2, 40_000, 1, 0, 0, 1_000, 0, 1,
                "cpu", 2, capacity);
        TrainingRun run = gateway.runs().start(r);
        assertThat(run.await(Duration.ofMinutes(2)).state()).isEqualTo(RunState.FINISHED);
        Path dir = run.config().runDirectory();
        assertThat(checkpoints(dir)).hasSize(2);
        List<Long> chunkBytes;
        try (Stream<Path> chunks = Files.list(dir.resolve("experience"))) {
            chunkBytes = chunks.filter(p -> p.toString().endsWith(".chunk")).map(p -> p.toFile().length()).toList();
        }
        long stored = chunkBytes.stream().mapToLong(Long::longValue).sum();
        long largest = chunkBytes.stream().mapToLong(Long::longValue).max().orElseThrow();
        // The capacity bounds the full chunks; each environment's newest, partial one comes on top.
        assertThat(stored).as("40k CartPole steps take about 2 MB").isPositive().isLessThanOrEqualTo(capacity + 2 * largest)
                .isLessThan(2 * capacity);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("run");
        assertThat(config.get("keepCheckpoints").asInt()).isEqualTo(2);
        assertThat(config.get("experienceCapacityBytes").asLong()).isEqualTo(capacity);

        TrainingRun defaults = gateway.runs().start(request("java:CartPole", 1, 10, 0, Map.of()));
        defaults.await(Duration.ofMinutes(1));
        JsonNode d = new ObjectMapper().readTree(defaults.config().runDirectory().resolve("config.json").toFile()).get("run");
        assertThat(d.get("experienceCapacityBytes").asLong()).isEqualTo(2L << 30);
        assertThat(d.get("keepCheckpoints").asInt()).isEqualTo(5);
        assertThat(d.get("checkpointEvery").asLong()).isEqualTo(RunRequest.DEFAULT_CHECKPOINT_EVERY);
    }

    // ------------------------------------------------------------------ item 7: a failed run keeps its progress

    /** {@code flaky:CartPole}: java:CartPole whose step call number {@code failAt} throws, as a worker past its failure limit. */
    private static WrappedCartPole flakyCartPole(int failAt) {
        return new WrappedCartPole("flaky", inner -> {
            AtomicInteger calls = new AtomicInteger();
            return new ForwardingVectorEnv(inner) {
                @Override
                public StepBatch step(Tensor actions) {
                    if (calls.incrementAndGet() == failAt) {
                        throw new EnvException("the workers of flaky:CartPole failed 5 times within 60 s");
                    }
                    return inner.step(actions);
                }
            };
        });
    }

    @Test
    void aRunWhoseEnvironmentFailsCheckpointsItsAgentAndResumesWhereItFailed() throws Exception {
        EnvRegistry flaky = new EnvRegistry();
        flaky.register(flakyCartPole(1_500));
        try (RunManager manager = new RunManager(gateway.plugins(), flaky, runs, new MetricsRegistry())) {
            TrainingRun run = manager.start(request("flaky:CartPole", 2, 1_000_000, 0, Map.of()));
            RunStatus end = run.await(Duration.ofMinutes(2));
            assertThat(end.state()).isEqualTo(RunState.FAILED);
            assertThat(end.step()).isEqualTo(2 * 1_499);

            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun resumed = manager.resume(end.runId(), events);
            assertThat(resumed.status().step()).as("the step counter goes on from the failure").isEqualTo(2 * 1_499);
            assertThat(resumed.await(Duration.ofMinutes(2)).state()).isEqualTo(RunState.FAILED);
            assertThat(events.of(RunEvent.AgentCreated.class)).first().satisfies(c -> {
                assertThat(c.checkpoint()).startsWith("0001-step2998-");
                assertThat(c.checkpointLoaded()).isTrue();
                assertThat(c.step()).isEqualTo(2 * 1_499);
            });
            assertThat(events.of(RunEvent.RunEnded.class)).singleElement()
                    .satisfies(e -> assertThat(e.state()).isEqualTo(RunState.FAILED));
        }
    }

    // ------------------------------------------------------------------ item 8: damaged checkpoints

    /** An endless run stopped after a few checkpoints; returns its directory. */
    private Path stoppedRunWithCheckpoints() throws Exception {
        TrainingRun run = gateway.runs().start(request("java:CartPole", 2, 100_000_000L, 400, Map.of("act_delay_ms", "1")));
        await("three checkpoints", 60, () -> run.status().step() > 1_300);
        gateway.runs().stop(run.config().runId());
        assertThat(run.status().state()).isEqualTo(RunState.STOPPED);
        return run.config().runDirectory();
    }

    private TrainingRun resumeRecording(Path runDir, RunFixtures.Events events) {
        return gateway.runs().resume(runDir.getFileName().toString(), events);
    }

    @Test
    void aTruncatedParameterFileSendsTheResumeToTheNewestIntactCheckpointLoudly() throws Exception {
        Path dir = stoppedRunWithCheckpoints();
        List<Path> all = checkpoints(dir);
        Path newest = all.get(all.size() - 1);
        Path previous = all.get(all.size() - 2);
        Path params = newest.resolve("random-agent.txt");
        byte[] bytes = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        RunFixtures.Events events = new RunFixtures.Events();
        TrainingRun resumed = resumeRecording(dir, events);
        assertThat(resumed.status().step()).isEqualTo(stepOf(previous)).isLessThan(stepOf(newest));
        await("the agent loaded", 20, () -> !events.of(RunEvent.AgentCreated.class).isEmpty());
        assertThat(events.of(RunEvent.AgentCreated.class)).singleElement().satisfies(c -> {
            assertThat(c.checkpoint()).isEqualTo(previous.getFileName().toString());
            assertThat(c.checkpointLoaded()).isTrue();
        });
        assertThat(events.of(RunEvent.DamagedCheckpointSkipped.class)).singleElement().satisfies(d -> {
            assertThat(d.checkpoint()).isEqualTo(newest.getFileName().toString());
            assertThat(d.resumedFrom()).isEqualTo(previous.getFileName().toString());
            assertThat(d.step()).isEqualTo(stepOf(previous));
        });
        gateway.runs().stop(resumed.config().runId());
    }

    @Test
    void anEmptyCheckpointInfoFileDoesNotResetTheStepCounter() throws Exception {
        Path dir = stoppedRunWithCheckpoints();
        List<Path> all = checkpoints(dir);
        Path newest = all.get(all.size() - 1);
        long previousStep = stepOf(all.get(all.size() - 2));
        Files.write(newest.resolve(TrainingRun.CHECKPOINT_INFO), new byte[0]);

        TrainingRun resumed = resumeRecording(dir, new RunFixtures.Events());
        assertThat(resumed.status().step()).isEqualTo(previousStep).isPositive();
        gateway.runs().stop(resumed.config().runId());
    }

    // ------------------------------------------------------------------ item 9: damaged run directories

    @Test
    void aDamagedRunDirectoryIsListedAsDamagedBesideTheOthers() throws Exception {
        TrainingRun good = gateway.runs().start(request("java:CartPole", 1, 100, 0, Map.of()));
        good.await(Duration.ofMinutes(1));
        Path broken = Files.createDirectories(runs.resolve("broken-config"));
        Files.writeString(broken.resolve("config.json"), "{\"run\": {\"runId\": ");
        Path badName = Files.createDirectories(runs.resolve("not a run id!"));
        Files.copy(good.config().runDirectory().resolve("config.json"), badName.resolve("config.json"));

        {
            List<RunStatus> all = gateway.runs().list(true);
            assertThat(all).extracting(RunStatus::runId)
                    .containsExactlyInAnyOrder(good.config().runId(), "broken-config", "not a run id!");
            Set<String> damaged = new HashSet<>();
            for (RunStatus s : all) {
                if (s.state().name().equals("DAMAGED")) {
                    damaged.add(s.runId());
                    assertThat(s.message()).isNotBlank();
                }
            }
            assertThat(damaged).containsExactlyInAnyOrder("broken-config", "not a run id!");
            assertThat(all).filteredOn(s -> s.runId().equals(good.config().runId())).singleElement()
                    .satisfies(s -> assertThat(s.state()).isEqualTo(RunState.FINISHED));
        }
    }

    // ------------------------------------------------------------------ item 10: bad env input

    @Test
    void badEnvInputIsRefusedBeforeTheRunExists() throws Exception {
        assertThatThrownBy(() -> gateway.runs().start(request("java:Nope", 1, 100, 0, Map.of())))
                .isInstanceOf(EnvException.class).hasMessageContaining("java:CartPole").hasMessageContaining("java:PointMass");
        RunRequest withOption = new RunRequest("random", null, Map.of(), "java:CartPole", Map.of("size", "64"), 1, 100, 1, 0, 0,
                0, 0, 1, "cpu");
        assertThatThrownBy(() -> gateway.runs().start(withOption))
                .isInstanceOf(EnvException.class).hasMessageContaining("max_episode_steps");
        assertThat(gateway.runs().list(true)).isEmpty();
        assertNoRunDirectory();
    }

    private void assertNoRunDirectory() throws IOException {
        if (Files.isDirectory(runs)) {
            try (Stream<Path> dirs = Files.list(runs)) {
                assertThat(dirs.filter(Files::isDirectory)).as("no run directory is left behind").isEmpty();
            }
        }
    }

    @Test
    void anUnknownDmcTaskOrGymOptionIsRefusedByItsWorkerBeforeTheRunExists() throws Exception {
        assertThatThrownBy(() -> gateway.runs().start(request("dmc:nope-nope", 1, 100, 0, Map.of())))
                .isInstanceOf(EnvException.class).hasMessageContaining("unknown task").hasMessageContaining("walker");
        RunRequest optionGymLacks = new RunRequest("random", null, Map.of(), "gym:CartPole-v1", Map.of("size", "64"), 1, 100, 1,
                0, 0, 0, 0, 1, "cpu");
        assertThatThrownBy(() -> gateway.runs().start(optionGymLacks))
                .isInstanceOf(EnvException.class).hasMessageContaining("unknown option").hasMessageContaining("size");
        assertNoRunDirectory();
    }

    // ------------------------------------------------------------------ item 11: budget and metrics

    @Test
    void theStepBudgetIsExactWhenItIsNoMultipleOfTheEnvironments() throws Exception {
        TrainingRun run = gateway.runs().start(request("java:CartPole", 4, 10, 0, Map.of()));
        RunStatus end = run.await(Duration.ofMinutes(1));
        assertThat(end.state()).isEqualTo(RunState.FINISHED);
        assertThat(end.step()).isEqualTo(10);
        assertThat(stepOf(checkpoints(run.config().runDirectory()).get(0))).isEqualTo(10);
    }

    @Test
    void afterAResumeTheMetricsStepsNeverGoBackwards() throws Exception {
        Path dir = stoppedRunWithCheckpoints();
        // The newest checkpoint is lost, as after a crash: the run goes on from an older step
        // than the last rows of metrics.jsonl.
        List<Path> all = checkpoints(dir);
        Path newest = all.get(all.size() - 1);
        long resumeStep = stepOf(all.get(all.size() - 2));
        try (Stream<Path> files = Files.walk(newest)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertThat(metricSteps(dir)).anyMatch(s -> s > resumeStep);

        TrainingRun resumed = resumeRecording(dir, new RunFixtures.Events());
        await("steps past the old end", 60, () -> resumed.status().step() > resumeStep + 1_500);
        gateway.runs().stop(resumed.config().runId());
        List<Long> steps = metricSteps(dir);
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i)).as("row %d of metrics.jsonl", i).isGreaterThanOrEqualTo(steps.get(i - 1));
        }
    }
}
