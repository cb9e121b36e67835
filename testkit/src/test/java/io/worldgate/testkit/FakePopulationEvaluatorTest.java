package io.worldgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The toy evaluator keeps the host's dealing and accounting rules, checked against counts worked out by hand. */
class FakePopulationEvaluatorTest {
    private static final int L = TestSpecs.EPISODE_STEPS;
    private static final EnvSpec SPEC = TestSpecs.of("toy", Map.of(DictSpace.STATE, TestSpecs.state(2)),
            new DiscreteSpace(2), 4);

    private static Policy always(int action) {
        return obs -> {
            int[] a = new int[obs.size()];
            Arrays.fill(a, action);
            return Tensor.ofInts(a, a.length);
        };
    }

    @Test
    void dealsSixEpisodesToFourEnvironmentsInTwoRoundsAndCountsEveryStep() {
        FakeExperience experience = RandomRollouts.of(SPEC, 0, 0);
        FakePopulationEvaluator evaluator = new FakePopulationEvaluator(SPEC,
                FakePopulationEvaluator.Reward.towardsTheLowestAction(SPEC), experience, 1);
        // three candidates, two episodes each: round one plays candidates 0 1 2 0 on envs 0..3,
        // round two candidates 1 2 on envs 0 1 while envs 2 3 step on unscored
        PopulationScores scores = evaluator.evaluate(List.of(always(0), always(1), always(0)), 2);

        assertThat(scores.size()).isEqualTo(3);
        assertThat(scores.episodes()).allSatisfy(e -> assertThat(e).hasSize(2)
                .allSatisfy(s -> assertThat(s).isEqualTo(new EpisodeSummary(s.episodeReturn(), L, false))));
        assertThat(scores.meanReturns()).containsExactly(L, 0, L);
        assertThat(scores.steps()).isEqualTo(4L * 2 * L);
        assertThat(evaluator.steps()).isEqualTo(scores.steps());
        // all eight episodes (six scored, two not) ended together; each stores its final observation too
        assertThat(experience.numEpisodes()).isEqualTo(8);
        assertThat(experience.numSteps()).isEqualTo(8L * (L + 1));
    }

    @Test
    void aRandomPolicyGetsHalfTheSignTaskRight() {
        FakePopulationEvaluator evaluator = new FakePopulationEvaluator(SPEC,
                FakePopulationEvaluator.Reward.matchTheSignOfTheState(), null, 2);
        PopulationScores scores = evaluator.evaluate(List.of(obs -> StepBatches.sample(SPEC.actionSpace(), obs.size(),
                new java.util.SplittableRandom(3))), 20);
        // 800 Bernoulli(1/2) steps: mean 20 per episode, standard error 0.35
        assertThat(scores.meanReturn(0)).isBetween(0.4 * L, 0.6 * L);
    }

    @Test
    void refusesActionsOutsideTheSpaceAndAnEmptyPopulation() {
        FakePopulationEvaluator evaluator = new FakePopulationEvaluator(SPEC,
                FakePopulationEvaluator.Reward.towardsTheLowestAction(SPEC), null, 4);
        assertThatThrownBy(() -> evaluator.evaluate(List.of(always(2)), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> evaluator.evaluate(List.of(), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> evaluator.evaluate(List.of(always(0)), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
