package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.run.ExperienceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The population evaluator on real environments (Java and Python CartPole), with a real
 * experience store and the step accounting a run does: every episode played to its end, the
 * run's own envs and workers reused, every step counted and stored.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RunPopulationEvaluatorTest {
    private static final int N = 4;

    /** Counts steps and episodes as the run does. */
    private static final class Accounting implements RunPopulationEvaluator.RunSide {
        long steps;
        int cutInProgress;
        final List<Double> finished = new ArrayList<>();

        @Override
        public void cutEpisodesInProgress() {
            cutInProgress++;
        }

        @Override
        public long resetSeed() {
            return 11 + steps;
        }

        @Override
        public void stepsTaken(int n) {
            steps += n;
        }

        @Override
        public void episodeFinished(int env, double episodeReturn, int length) {
            finished.add(episodeReturn);
        }

        @Override
        public void episodeCut(int env, double partialReturn, int length) {}
    }

    /** CartPole: push right when {@code w . state > 0}. */
    private static Policy linear(double... w) {
        return obs -> {
            float[] s = obs.observations().get("state").toFloatArray();
            int n = obs.size();
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                double v = 0;
                for (int j = 0; j < 4; j++) {
                    v += w[j] * s[i * 4 + j];
                }
                a[i] = v > 0 ? 1 : 0;
            }
            return Tensor.ofInts(a, n);
        };
    }

    private static Policy alwaysLeft() {
        return obs -> Tensor.ofInts(new int[obs.size()], obs.size());
    }

    /** A policy that balances CartPole for the full 500 steps from any start the env draws. */
    private static Policy balancing() {
        return linear(0.1, 0.5, 3, 1);
    }

    @Test
    void everyEpisodeIsPlayedToItsEndWhateverItsLength() {
        try (VectorEnv env = EnvRegistry.withBuiltins().create("java:CartPole", N, Map.of());
                ExperienceStore experience = ExperienceStore.inMemory(env.spec())) {
            Accounting run = new Accounting();
            RunPopulationEvaluator evaluator = new RunPopulationEvaluator(env, experience, new EpisodeInfos(env), run);
            // the run has acted a little: its episodes in progress are cut by the evaluation
            experience.appendObservations(env.reset(1));

            assertThatThrownBy(() -> evaluator.evaluate(List.of(alwaysLeft()), 1))
                    .as("outside train").isInstanceOf(IllegalStateException.class);

            List<Policy> candidates = List.of(alwaysLeft(), balancing(), alwaysLeft(), balancing(), alwaysLeft());
            PopulationScores scores = evaluator.during(() -> evaluator.evaluate(candidates, 3));

            assertThat(run.cutInProgress).isEqualTo(1);
            assertThat(scores.size()).isEqualTo(5);
            long scoredSteps = 0;
            for (int c = 0; c < 5; c++) {
                List<EpisodeSummary> episodes = scores.episodes().get(c);
                assertThat(episodes).as("candidate %d", c).hasSize(3);
                for (EpisodeSummary e : episodes) {
                    assertThat(e.episodeReturn()).isEqualTo(e.length()); // reward 1 per step
                    scoredSteps += e.length();
                    if (c % 2 == 1) {
                        // the balancer lasts until the time limit, every time: long episodes are not dropped
                        assertThat(e.length()).isEqualTo(500);
                        assertThat(e.terminated()).isFalse();
                    } else {
                        // pushing left from |theta| < 0.05 tips the pole past 12 degrees within a few steps
                        assertThat(e.length()).isBetween(5, 15);
                        assertThat(e.terminated()).isTrue();
                    }
                }
                assertThat(scores.meanReturn(c)).isEqualTo(c % 2 == 1 ? 500.0 : scores.episodes().get(c).stream()
                        .mapToDouble(EpisodeSummary::episodeReturn).sum() / 3);
            }
            assertThat(run.finished).hasSize(15);
            // the steps counted are the steps taken: the scored ones and those of envs left with nothing to play
            assertThat(scores.steps()).isEqualTo(run.steps).isGreaterThanOrEqualTo(scoredSteps);
            assertThat(scores.steps() % N).isZero();
            // every step stored, plus the reset rows before and after the evaluation
            assertThat(experience.numSteps()).isEqualTo(N + N + scores.steps() + N);
            // the run goes on from the reset after the evaluation
            StepBatch fresh = evaluator.takeFreshStart().orElseThrow();
            assertThat(fresh.isFirst()).containsOnly(true);
            assertThat(evaluator.takeFreshStart()).isEmpty();
        }
    }

    @Test
    void aCandidateWithInvalidActionsFailsTheEvaluationAndTheRunStartsAfresh() {
        try (VectorEnv env = EnvRegistry.withBuiltins().create("java:CartPole", N, Map.of());
                ExperienceStore experience = ExperienceStore.inMemory(env.spec())) {
            RunPopulationEvaluator evaluator = new RunPopulationEvaluator(env, experience, new EpisodeInfos(env), new Accounting());
            Policy wrongSize = obs -> Tensor.ofInts(new int[obs.size() + 1], obs.size() + 1);
            assertThatThrownBy(() -> evaluator.during(() -> evaluator.evaluate(List.of(alwaysLeft(), wrongSize), 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("candidate 1");
            assertThat(evaluator.takeFreshStart().orElseThrow().isFirst()).containsOnly(true);
            assertThatThrownBy(() -> evaluator.during(() -> evaluator.evaluate(List.of(), 1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> evaluator.during(() -> evaluator.evaluate(List.of(alwaysLeft()), 0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sixteenCandidatesOnFourGymEnvsReuseTheRunsWorkers() throws Exception {
        boolean python = Files.isExecutable(Path.of(System.getProperty("worldgate.python", "../.venv/bin/python")));
        assumeTrue(python, "the env-bridge venv is missing; run env-bridge-python/install.sh");
        BridgeConfig config = BridgeConfig.defaults().withWorkers(2); // 2 workers of 2 envs
        try (VectorEnv env = EnvRegistry.withBuiltins(config).create("gym:CartPole-v1", N, Map.of());
                ExperienceStore experience = ExperienceStore.inMemory(env.spec())) {
            Accounting run = new Accounting();
            RunPopulationEvaluator evaluator = new RunPopulationEvaluator(env, experience, new EpisodeInfos(env), run);
            experience.appendObservations(env.reset(1));
            Set<Long> workersBefore = pythonProcesses();
            long stepsBefore = run.steps;
            long storedBefore = experience.numSteps();

            List<Policy> candidates = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                candidates.add(linear(0.02 * c, 0.1 * (c % 4), 0.2 * c, 0.1 * (c % 3))); // from tipping fast to balancing
            }
            PopulationScores scores = evaluator.during(() -> evaluator.evaluate(candidates, 2));

            Set<Long> workersAfter = pythonProcesses();
            System.out.printf("population of 16 x 2 episodes on 4 envs of gym:CartPole-v1: python workers before %s,"
                    + " after %s; steps %d -> %d; experience %d -> %d steps; mean returns %s%n", workersBefore, workersAfter,
                    stepsBefore, run.steps, storedBefore, experience.numSteps(), java.util.Arrays.toString(scores.meanReturns()));
            assertThat(workersBefore).isNotEmpty();
            assertThat(workersAfter).isEqualTo(workersBefore);
            assertThat(scores.episodes()).allSatisfy(e -> assertThat(e).hasSize(2));
            assertThat(run.steps - stepsBefore).isEqualTo(scores.steps()).isPositive();
            // the evaluator's steps, plus the reset rows after it (the run's acting starts from them)
            assertThat(experience.numSteps() - storedBefore).isEqualTo(N + scores.steps() + N);
        }
    }

    /** The Python processes this JVM started (the env workers). */
    private static Set<Long> pythonProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("python")).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
