package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.FakePopulationEvaluator;
import io.worldgate.testkit.FakePopulationEvaluator.Reward;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The population-based agent learns, on the testkit's toy task: choose action 1 where the first
 * state element is positive, else 0, rewarded 1 per step of {@value TestSpecs#EPISODE_STEPS}-step
 * episodes. A uniform random policy earns half of that.
 */
class PopulationAgentTest {
    private static final EnvSpec SPEC = TestSpecs.of("sign", Map.of(DictSpace.STATE, TestSpecs.state(4)),
            new DiscreteSpace(2), 4);

    @Test
    void tenGenerationsBeatARandomPolicyByAWideMargin(@TempDir Path dir) {
        FakeExperience experience = RandomRollouts.of(SPEC, 0, 0);
        FakePopulationEvaluator training = new FakePopulationEvaluator(SPEC, Reward.matchTheSignOfTheState(), experience, 23);
        AgentConfig config = AgentConfig.resolve(new PopulationAgentFactory().descriptor(), null, Map.of());
        try (Agent agent = new PopulationAgentFactory().create(SPEC, config,
                new FakeAgentContext(experience, dir, 23).withPopulationEvaluator(training))) {
            agent.train(10);

            // Scored on episodes it has not seen, by a separately seeded evaluator.
            FakePopulationEvaluator held = new FakePopulationEvaluator(SPEC, Reward.matchTheSignOfTheState(), null, 97);
            PopulationScores learnt = held.evaluate(List.of(obs -> agent.act(obs, io.worldgate.api.agent.ActMode.EVAL)), 8);
            PopulationScores random = held.evaluate(List.of(obs -> io.worldgate.testkit.StepBatches.sample(
                    SPEC.actionSpace(), obs.size(), new java.util.SplittableRandom(5))), 8);
            double steps = TestSpecs.EPISODE_STEPS;
            assertTrue(random.meanReturn(0) < 0.65 * steps, "random policy: " + random.meanReturn(0));
            assertTrue(learnt.meanReturn(0) > 0.85 * steps, "after 10 generations: " + learnt.meanReturn(0));
        }
        // Every step the generations took is in the run's experience: 10 generations of 16 episodes.
        assertEquals(10 * 16, experience.numEpisodes());
        assertEquals(training.steps() + 10 * 16, experience.numSteps(), "each episode also stores its final observation");
    }

    @Test
    void trainingOutsideARunIsRefusedWithAMessage(@TempDir Path dir) {
        AgentConfig config = AgentConfig.resolve(new PopulationAgentFactory().descriptor(), null, Map.of());
        try (Agent agent = new PopulationAgentFactory().create(SPEC, config,
                new FakeAgentContext(RandomRollouts.of(SPEC, 0, 0), dir, 1))) {
            assertThrows(AgentException.class, () -> agent.train(1));
        }
    }

    @Test
    void anEliteLargerThanThePopulationIsRefused(@TempDir Path dir) {
        AgentConfig config = AgentConfig.resolve(new PopulationAgentFactory().descriptor(), null,
                Map.of("population", "4", "elite", "5"));
        assertThrows(AgentException.class, () -> new PopulationAgentFactory().create(SPEC, config,
                new FakeAgentContext(RandomRollouts.of(SPEC, 0, 0), dir, 1)));
    }
}
