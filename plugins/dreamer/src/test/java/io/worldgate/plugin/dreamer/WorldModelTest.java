package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Tensors;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.worldgate.testkit.FakeExperience;

/** The world model learns the deterministic test system: open-loop predictions get much better. */
class WorldModelTest {

    @Test
    void openLoopPredictionsImproveWithTraining(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(true, false, true, 1);
        FakeExperience exp = Fixtures.experience(spec, 4000, 3);
        SequenceBatch heldOut = exp.sampleSequences(16, 32, new SplittableRandom(99));
        try (DreamerAgent agent = Fixtures.agent(spec, exp, dir, 5, Map.of("batch_length", "32"))) {
            double before = openLoopError(agent, heldOut, 8);
            double rewardBefore = agent.update().get("loss/reward");
            for (int i = 0; i < 300; i++) {
                agent.update();
            }
            Map<String, Double> last = agent.update();
            double after = openLoopError(agent, heldOut, 8);
            System.out.printf("open-loop state MSE before %.4f after %.4f; reward loss %.3f -> %.3f%n", before, after,
                    rewardBefore, last.get("loss/reward"));
            assertThat(after).isLessThan(0.3 * before);
            assertThat(last.get("loss/reward")).isLessThan(rewardBefore);
            assertThat(last.values()).allSatisfy(v -> assertThat(v).isFinite());
        }
    }

    /**
     * Mean squared error of the decoded state over the steps after {@code context}, when the model
     * filters the first {@code context} observations and then imagines the rest from the actions
     * alone (latent modes, so the measure is deterministic). Uses only sequences without an
     * episode start after the context.
     */
    static double openLoopError(DreamerAgent agent, SequenceBatch batch, int context) {
        WorldModel wm = agent.worldModel();
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            ParameterStore ps = new ParameterStore(m, false);
            Spaces spaces = new Spaces(Fixtures.spec(true, false, true, 1), java.util.List.of(), "dreamer");
            NDArray state = Tensors.toNDArray(m, batch.observations().get("state"));
            NDArray actions = spaces.modelActions(Tensors.toNDArray(m, batch.actions()), 2);
            NDArray isFirst = Tensors.toNDArray(m, batch.isFirst());
            NDArray mask = Tensors.toNDArray(m, batch.mask());
            int steps = batch.length();
            NDArray embed = wm.encode(ps, Map.of("state", state.get(":, :{}", context)));
            Rssm.Observation seen = wm.rssm.observe(ps, embed,
                    WorldModel.previousActions(actions).get(":, :{}", context), isFirst.get(":, :{}", context), null);
            RssmState post = seen.posterior();
            RssmState last = new RssmState(post.deter().get(":, {}", context - 1), post.stoch().get(":, {}", context - 1),
                    null);
            RssmState imagined = wm.rssm.imagine(ps, actions.get(":, {}:{}", context - 1, steps - 1), last, false);
            NDArray predicted = wm.decodeState(ps, imagined.features());
            NDArray truth = state.get(":, {}:", context);
            // only sequences that stay in one episode and are not padded after the context
            NDArray valid = isFirst.get(":, {}:", context).sum(new int[] {1}).eq(0)
                    .logicalAnd(mask.get(":, {}:", context).min(new int[] {1}).eq(1))
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            NDArray perSeq = predicted.sub(truth).square().mean(new int[] {2}).mean(new int[] {1});
            float count = valid.sum().getFloat();
            assertThat(count).as("sequences without an episode start").isGreaterThan(0);
            return perSeq.mul(valid).sum().getFloat() / count;
        }
    }
}
