package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.experience.Episode;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.internal.experience.ExperienceSnapshot;
import io.worldgate.gateway.run.internal.metrics.JsonlMetricsWriter;
import io.worldgate.gateway.service.RunManager;
import io.worldgate.gateway.service.RunRequest;
import io.worldgate.plugin.framestats.FrameStats;
import io.worldgate.api.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learner runs on a real Felix: the frame-statistics test learner learns the per-channel mean and
 * std of java:CartPole's state from the disk experience of a real run of the random agent, in a
 * run of its own that checkpoints, writes its metrics and is listed, and a stopped one resumes.
 */
class LearnerRunTest {
    @TempDir
    static Path tmp;
    static HostFixture fixture;
    static Path runs;
    static String source;
    /** The deployed framestats learner, as {@code name@version}. */
    static String label;
    static String version;
    /** The source run's state observations, every stored step, [steps, 4]. */
    static double[][] states;

    @BeforeAll
    static void aRandomAgentRunStoresExperience() throws Exception {
        fixture = new HostFixture(tmp);
        Files.copy(TestBundles.randomPlugin(), fixture.deploy.resolve("random.jar"));
        Files.copy(TestBundles.framestatsPlugin(), fixture.deploy.resolve("framestats.jar"));
        TestBundles.build(fixture.deploy.resolve("image-learner.jar"), "test.imagelearner", "1.0.0",
                "io.worldgate.gateway.testplugins.imagelearner");
        await("random, framestats and image-learner", 60, () -> fixture.host.bestFactory("random").isPresent()
                && fixture.host.learners().best("framestats").isPresent()
                && fixture.host.learners().best("image-learner").isPresent()
                && fixture.host.learners().best("pixels-only").isPresent());
        label = fixture.host.learners().best("framestats").orElseThrow().label();
        version = fixture.host.learners().best("framestats").orElseThrow().version();
        runs = tmp.resolve("runs");
        try (RunManager manager = new RunManager(fixture.host, EnvRegistry.withBuiltins(), runs, new MetricsRegistry())) {
            TrainingRun run = manager.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 2, 3_000, 5, 0,
                    0, 0, 0, 1, "cpu"));
            assertThat(run.await(Duration.ofMinutes(2)).state()).isEqualTo(RunState.FINISHED);
            source = run.config().runId();
        }
        // every stored state, read from a snapshot of the source's experience
        Path copy = tmp.resolve("reference");
        ExperienceSnapshot.Opened opened = ExperienceSnapshot.open(runs.resolve(source).resolve("experience"), copy,
                "java:CartPole", 2);
        try (var store = opened.store()) {
            List<double[]> rows = new java.util.ArrayList<>();
            Tensor all = store.sampleSequences(1, 1, new java.util.SplittableRandom(0)).observations().get("state");
            assertThat(all.shape()).containsExactly(1, 1, 4);
            store.forEachEpisode((Episode e) -> {
                Tensor s = e.observations().get("state");
                for (int t = 0; t < s.dim(0); t++) {
                    double[] row = new double[4];
                    for (int c = 0; c < 4; c++) {
                        row[c] = s.getDouble((long) t * 4 + c);
                    }
                    rows.add(row);
                }
            });
            states = rows.toArray(double[][]::new);
        }
        assertThat(states.length).isGreaterThan(2_000);
    }

    @AfterAll
    static void closeHost() {
        fixture.close();
    }

    private static LearnerRun.Request request(long updates, long checkpointEvery) {
        return new LearnerRun.Request("framestats", null, Map.of("batch", "64"), source, updates, 3, "cpu", checkpointEvery, 10);
    }

    /** Every file of {@code dir} with its size and modification time. */
    private static Map<String, String> listing(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }

    @Test
    void learnsTheFrameStatisticsOfTheSourceRunInARunOfItsOwn() throws Exception {
        Map<String, String> before = listing(runs.resolve(source));
        RunFixtures.Events events = new RunFixtures.Events();
        LearnerRun run = LearnerRun.create(fixture.host, runs, request(250, 100));
        RunStatus end = run.run(events);
        assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);
        assertThat(end.updates()).isEqualTo(250);
        assertThat(end.agent()).isEqualTo(label);
        Path dir = run.config().runDirectory();

        // checkpoints at 100, 200 and the end, sealed, whose files verify
        assertThat(events.of(RunEvent.CheckpointWritten.class)).extracting(RunEvent.CheckpointWritten::step)
                .containsExactly(100L, 200L, 250L);
        Checkpoints.Checkpoint last = Checkpoints.newestIntact(dir, true, (d, why) -> {}).orElseThrow();
        assertThat(last.verified()).isTrue();
        assertThat(last.step()).isEqualTo(250);
        assertThat(last.info()).containsEntry("kind", "learner").containsEntry("source_run", source)
                .containsEntry("agent", "framestats").containsEntry("version", version);

        // what it learnt: the statistics of the stored states, within a few standard errors of 16000 samples
        Map<String, String> saved = FrameStats.read(last.directory());
        assertThat(Long.parseLong(saved.get("count"))).isEqualTo(250L * 64);
        for (int c = 0; c < 4; c++) {
            int channel = c;
            double mean = Arrays.stream(states).mapToDouble(r -> r[channel]).average().orElseThrow();
            double std = Math.sqrt(Arrays.stream(states).mapToDouble(r -> (r[channel] - mean) * (r[channel] - mean)).average()
                    .orElseThrow());
            double learntMean = Double.parseDouble(saved.get("mean." + c));
            double learntStd = Math.sqrt(Double.parseDouble(saved.get("m2." + c)) / (250.0 * 64));
            System.out.printf("channel %d: mean %.4f learnt %.4f, std %.4f learnt %.4f%n", c, mean, learntMean, std, learntStd);
            assertThat(learntMean).as("mean of channel %d", c).isCloseTo(mean, within(0.1 * std));
            assertThat(learntStd).as("std of channel %d", c).isCloseTo(std, within(0.1 * std));
        }

        // its metrics: one typed row per update and tag, at the update's number
        Map<String, JsonlMetricsWriter.Series> scalars = JsonlMetricsWriter.readScalars(dir.resolve(JsonlMetricsWriter.FILE_NAME));
        assertThat(scalars.keySet()).contains("stats/mean/c0", "stats/std/c3");
        assertThat(scalars.get("stats/mean/c0").steps()).hasSize(250).startsWith(1L, 2L).endsWith(250L);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("events.out.tfevents"));
        }

        // listed among the runs; the source run untouched and the snapshot gone
        try (RunManager manager = new RunManager(fixture.host, EnvRegistry.withBuiltins(), runs, new MetricsRegistry())) {
            RunStatus listed = manager.list(true).stream().filter(s -> s.runId().equals(end.runId())).findFirst().orElseThrow();
            assertThat(listed.state()).isEqualTo(RunState.FINISHED);
            assertThat(listed.agent()).isEqualTo(label);
            assertThat(listed.step()).isEqualTo(250);
            assertThat(listed.totalSteps()).isEqualTo(250);
        }
        assertThat(listing(runs.resolve(source))).isEqualTo(before);
        assertThat(dir.resolve(RunDirectory.SOURCE_SNAPSHOT)).doesNotExist();
    }

    @Test
    void aStoppedLearnerRunResumesFromItsCheckpointAndWritesEachUpdateOnce() throws Exception {
        LearnerRun first = LearnerRun.create(fixture.host, runs, request(300, 100));
        RunStatus stopped = first.run(new RunListener() {
            @Override
            public void onScalar(String tag, double value, long step) {
                if (step == 150) {
                    first.stop();
                }
            }
        });
        assertThat(stopped.state()).isEqualTo(RunState.STOPPED);
        assertThat(stopped.updates()).isEqualTo(150);
        String runId = stopped.runId();

        RunFixtures.Events events = new RunFixtures.Events();
        RunStatus end = LearnerRun.resume(fixture.host, runs, runId).run(events);
        assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);
        assertThat(end.updates()).isEqualTo(300);
        assertThat(events.events).anyMatch(e -> e.contains("resumed " + label + " from 0002-step150-"));
        Path dir = runs.resolve(runId);
        // the loaded moments carried on: every sample of both processes counted once
        Map<String, String> saved = FrameStats.read(Checkpoints.newestIntact(dir, true, (d, why) -> {}).orElseThrow().directory());
        assertThat(Long.parseLong(saved.get("count"))).isEqualTo(300L * 64);
        long[] steps = JsonlMetricsWriter.readScalars(dir.resolve(JsonlMetricsWriter.FILE_NAME)).get("stats/mean/c0").steps();
        assertThat(steps).hasSize(300);
        assertThat(steps).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void badRequestsAreRefusedBeforeARunDirectoryIsMade() throws Exception {
        long before;
        try (Stream<Path> all = Files.list(runs)) {
            before = all.count();
        }
        assertThatThrownBy(() -> LearnerRun.create(fixture.host, runs, new LearnerRun.Request("nope", null, Map.of(), source,
                10, 0, "cpu", 5, 1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(label);
        assertThatThrownBy(() -> LearnerRun.create(fixture.host, runs, new LearnerRun.Request("framestats", null, Map.of(),
                "no-such-run", 10, 0, "cpu", 5, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no run 'no-such-run'");
        assertThatThrownBy(() -> LearnerRun.create(fixture.host, runs, new LearnerRun.Request("framestats", null,
                Map.of("batch", "0"), source, 10, 0, "cpu", 5, 1))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> LearnerRun.create(fixture.host, runs, new LearnerRun.Request("pixels-only", null, Map.of(),
                source, 10, 0, "cpu", 5, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pixels-only needs one of the observations [pixels]");
        // a run that stored nothing
        Path empty = runs.resolve("empty-run");
        Files.createDirectories(empty);
        new RunDirectory(empty).writeConfig(new RunConfig("empty-run", "random", null, Map.of(), "java:CartPole", Map.of(), 1,
                10, 0, 0, 0, 0, 0, 1, empty, "cpu"), io.worldgate.api.agent.AgentConfig.resolve(
                fixture.host.bestFactory("random").orElseThrow().factory().descriptor(), null, Map.of()));
        assertThatThrownBy(() -> LearnerRun.create(fixture.host, runs, new LearnerRun.Request("framestats", null, Map.of(),
                "empty-run", 10, 0, "cpu", 5, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no stored experience");
        try (Stream<Path> all = Files.list(runs)) {
            assertThat(all.count()).isEqualTo(before + 1); // the empty run made here, nothing else
        }
    }

    @Test
    void imagesALearnerSendsReachTheMetricsFileTensorBoardAndTheRunDirectory() throws Exception {
        LearnerRun run = LearnerRun.create(fixture.host, runs, new LearnerRun.Request("image-learner", null, Map.of(), source, 3, 0,
                "cpu", 10, 1));
        RunStatus end = run.run(new RunListener() {});
        assertThat(end.state()).as(end.message()).isEqualTo(RunState.FINISHED);
        Path dir = run.config().runDirectory();
        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(JsonlMetricsWriter.FILE_NAME))) {
            rows.add(new ObjectMapper().readTree(line));
        }
        assertThat(rows.stream().filter(r -> r.path("kind").asText().equals("image")))
                .extracting(r -> r.path("tag").asText() + "@" + r.path("step").asLong() + " " + r.path("shape"))
                .containsExactly("recon/sample@1 [8,8,3]", "recon/sample@2 [8,8,3]", "recon/sample@3 [8,8,3]");
        assertThat(JsonlMetricsWriter.readScalars(dir.resolve(JsonlMetricsWriter.FILE_NAME)).get("loss/reconstruction").values())
                .containsExactly(1.0, 0.5, 1.0 / 3);
        assertThat(dir.resolve("images").resolve("recon_sample-step3.png")).isRegularFile();
        try (Stream<Path> files = Files.list(dir)) {
            Path events = files.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents")).findFirst().orElseThrow();
            // the image summary's tag is in the TensorBoard file
            assertThat(new String(Files.readAllBytes(events), java.nio.charset.StandardCharsets.ISO_8859_1)).contains("recon/sample");
        }
    }
}
