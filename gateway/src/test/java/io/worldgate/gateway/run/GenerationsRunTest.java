package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real run on a real Felix with an agent of the GENERATIONS cadence: the cem test plugin runs a
 * cross-entropy method over a linear policy on java:CartPole, scoring each generation through the
 * population evaluator on the run's 4 envs. The run's step budget is spent by those evaluations
 * only, their steps are stored, and the policy improves.
 */
class GenerationsRunTest {

    /** The scalars one tag took, in order. */
    private static final class Scalars implements RunListener {
        final Map<String, List<Double>> byTag = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onScalar(String tag, double value, long step) {
            byTag.computeIfAbsent(tag, t -> new CopyOnWriteArrayList<>()).add(value);
        }

        List<Double> of(String tag) {
            return byTag.getOrDefault(tag, List.of());
        }
    }

    @Test
    void aCemAgentDrivesItsGenerationsThroughThePopulationEvaluatorAndImproves(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("cem.jar"), "cem", "1.0.0");
            await("cem", 60, () -> f.host.bestFactory("cem").isPresent());
            int numEnvs = 4;
            RunConfig config = new RunConfig("cem", "cem", null, Map.of(), "java:CartPole", Map.of(), numEnvs, 40_000, 7, 0,
                    0, 0, 0, 1, tmp.resolve("runs").resolve("cem"), "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            Scalars scalars = new Scalars();
            TrainingRun run = TrainingRun.builder(config, f.host, EnvRegistry.withBuiltins()).listener(events)
                    .listener(scalars).build().start();
            RunStatus end = run.await(Duration.ofSeconds(120));
            assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);

            List<Double> means = scalars.of("cem/population_mean");
            List<Double> steps = scalars.of("cem/steps");
            List<Double> stored = scalars.of("cem/stored");
            System.out.printf("cem on java:CartPole: %d generations, population mean returns %s, steps %s, run steps %d%n",
                    end.updates(), means, steps, end.step());
            assertThat(end.updates()).isEqualTo(means.size()).isGreaterThanOrEqualTo(3);
            // the budget is spent by the evaluations alone, and the run stops after the one that spent it
            long evaluated = steps.stream().mapToLong(Double::longValue).sum();
            assertThat(end.step()).isEqualTo(evaluated).isGreaterThanOrEqualTo(config.totalSteps());
            assertThat(evaluated - steps.get(steps.size() - 1).longValue()).isLessThan(config.totalSteps());
            // every step stored, and the reset rows before and after each evaluation
            for (int g = 0; g < steps.size(); g++) {
                assertThat(stored.get(g)).isEqualTo(steps.get(g) + 2 * numEnvs);
            }
            // each scored episode is one of the run's episodes
            assertThat(end.episodes()).isEqualTo(16L * means.size());
            // a fixed seed: the search improves well past its first, random generation (the population's
            // mean is noisy, its exploration being part of it: the last five generations are averaged)
            double lastFive = means.subList(means.size() - 5, means.size()).stream().mapToDouble(Double::doubleValue)
                    .average().orElseThrow();
            assertThat(lastFive).isGreaterThan(means.get(0) + 50);
        }
    }

    @Test
    void aGenerationThatTakesNoStepPausesTheRun(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("population.jar"), "population", "1.0.0");
            await("idle-generations", 60, () -> f.host.bestFactory("idle-generations").isPresent());
            RunConfig config = new RunConfig("idle", "idle-generations", null, Map.of(), "java:CartPole", Map.of(), 2, 1000, 7,
                    0, 0, 0, 0, 1, tmp.resolve("runs").resolve("idle"), "cpu");
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(), new RunFixtures.Events()).start();
            try {
                await("run paused", 20, () -> run.status().state() == RunState.PAUSED);
                assertThat(run.status().step()).isZero();
                assertThat(run.status().message()).contains("took no environment step in a generation");
            } finally {
                run.stop();
                run.await(Duration.ofSeconds(20));
            }
        }
    }

    @Test
    void aReplayRatioAgentMayEvaluateAPopulationInTrainAndTheRunActsOnFromFreshEpisodes(@TempDir Path tmp)
            throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("population.jar"), "population", "1.0.0");
            await("evaluate-in-train", 60, () -> f.host.bestFactory("evaluate-in-train").isPresent());
            // 2 envs, one update per 100 steps: an evaluation in the middle of the run's own episodes
            RunConfig config = new RunConfig("mid", "evaluate-in-train", null, Map.of(), "java:CartPole", Map.of(), 2, 300, 7,
                    0.01, 0, 0, 0, 1, tmp.resolve("runs").resolve("mid"), "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            Scalars scalars = new Scalars();
            List<Integer> lengths = new CopyOnWriteArrayList<>();
            RunListener episodes = new RunListener() {
                @Override
                public void onEpisode(RunStatus status, double episodeReturn, int length) {
                    lengths.add(length);
                }
            };
            TrainingRun run = TrainingRun.builder(config, f.host, EnvRegistry.withBuiltins()).listener(events)
                    .listener(scalars).listener(episodes).build().start();
            RunStatus end = run.await(Duration.ofSeconds(60));
            assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);
            List<Double> evaluated = scalars.of("pop/steps");
            assertThat(evaluated).as(events.events.toString()).isNotEmpty();
            assertThat(end.updates()).isEqualTo(evaluated.size());
            // the run's step count holds its own steps and the evaluations': every step is an episode's,
            // finished or cut, or of one still in progress at the end (at most one per env)
            long inEpisodes = lengths.stream().mapToLong(Integer::longValue).sum();
            assertThat(end.step()).isGreaterThanOrEqualTo(config.totalSteps())
                    .isGreaterThan(evaluated.stream().mapToLong(Double::longValue).sum());
            assertThat(end.episodes()).isEqualTo(lengths.size()).isGreaterThanOrEqualTo(4L * evaluated.size());
            assertThat(inEpisodes).isLessThanOrEqualTo(end.step());
            // the run's own episodes in progress when an evaluation began were cut, not counted as returns
            assertThat(end.cutEpisodes()).isPositive();
        }
    }
}
