package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.testkit.FakeExperience;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dreamer's {@code planner=cem}: PlaNet's CEM over the world model instead of the actor. */
class DreamerPlannerTest {
    /** A small search, so that the tests stay quick. */
    static final Map<String, String> CEM = Map.of("planner", "cem", "plan_horizon", "3", "plan_iterations", "2",
            "plan_candidates", "32", "plan_top_k", "4", "batch_size", "2", "batch_length", "8");

    private static void assertValid(EnvSpec spec, Tensor actions, int n) {
        assertThat(spec.actionSpace().validateBatch(actions, n)).as("actions %s", actions).isEmpty();
    }

    @Test
    void plansEveryActionInBothModesAndKeepsActingAfterTraining(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 3);
        FakeExperience exp = Fixtures.experience(spec, 200, 1);
        try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 1, CEM)) {
            assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0, 0.5, -1}, new boolean[] {true, true, true}),
                    ActMode.EXPLORE), 3);
            assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.1, 0.6, -1.1}, new boolean[] {false, true, false}),
                    ActMode.EXPLORE), 3);
            assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.3, 1.2}, new boolean[] {true, true}), ActMode.EVAL), 2);
            agent.train(1);
            assertValid(spec, agent.act(Fixtures.batch(spec, new double[] {0.2, 0.7, -0.9}, new boolean[] {false, false, false}),
                    ActMode.EXPLORE), 3);
            assertThat(agent.plans()).isEqualTo(4);
        }
        try (DreamerAgent actor = Fixtures.agent(spec, exp, dir, 1, Map.of())) {
            actor.act(Fixtures.batch(spec, new double[] {0, 0.5, -1}, new boolean[] {true, true, true}), ActMode.EXPLORE);
            assertThat(actor.plans()).isZero();
        }
    }

    @Test
    void refusesDiscreteActionsAndATopKAboveTheCandidates(@TempDir Path dir) {
        EnvSpec discrete = Fixtures.spec(true, false, true, 2);
        FakeExperience exp = Fixtures.experience(discrete, 50, 1);
        assertThatThrownBy(() -> Fixtures.agent(discrete, exp, dir, 1, CEM))
                .isInstanceOf(AgentException.class).hasMessageContaining("planner=actor");
        assertThatThrownBy(() -> DreamerConfig.from(Fixtures.config("debug",
                Map.of("planner", "cem", "plan_candidates", "8", "plan_top_k", "9"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("plan_top_k");
    }

    @Test
    void theAdapterSplitsTheFeaturesIntoTheRssmStateAndBack(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 4);
        try (DreamerAgent agent = Fixtures.agent(spec, Fixtures.experience(spec, 50, 1), dir, 1, CEM);
                NDManager m = NDManager.newBaseManager();
                NoGradient off = NoGradient.open()) {
            WorldModel wm = agent.worldModel();
            ParameterStore ps = new ParameterStore(m, false);
            DreamerLatentModel model = new DreamerLatentModel(wm, agent.actorCritic(), ps, 0.9);
            RssmState state = wm.rssm.imgStep(ps, wm.rssm.zeroState(m, 4), m.zeros(new Shape(4, 1)), true, false);
            NDArray z = state.features();
            NDArray a = m.create(new float[] {-1f, -0.3f, 0.4f, 1f}, new Shape(4, 1));

            NDArray reward = model.reward(z, a);
            NDArray next = model.next(z, a);
            int d = wm.rssm.deterSize();
            int k = agent.config().classes();
            assertThat(next.getShape()).isEqualTo(z.getShape());
            assertThat(reward.getShape()).isEqualTo(new Shape(4));
            assertThat(model.terminalValue(next).getShape()).isEqualTo(new Shape(4));
            assertThat(model.discount()).isEqualTo(0.9);
            // h' = f(h, z, a) is deterministic: the same as the RSSM's own step from the split state
            float[] want = wm.rssm.imgStep(ps, state, a, true, false).deter().toFloatArray();
            assertThat(next.get(":, :" + d).toFloatArray()).containsExactly(want, within(1e-5f));
            // z' is S one-hot categoricals of K classes
            NDArray stoch = next.get(":, " + d + ":").reshape(4, -1, k);
            assertThat(stoch.sum(new int[] {2}).toFloatArray()).containsOnly(1f);
            // the reward's imagination step serves the next latent of the same pair
            assertThat(model.next(z, a)).isSameAs(next);
        }
    }
}
