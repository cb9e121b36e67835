package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.dist.Independent;
import io.worldgate.runtime.dist.Normal;
import io.worldgate.runtime.nn.Initializers;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous actions in imagination with {@code actor_grad=reinforce}: the trajectory keeps the
 * actor's sample as drawn (what REINFORCE scores), the dynamics get its copy clipped to [-1, 1], as in
 * DreamerV3. The actor is fixed to {@code N(0.9, 0.5)} in every state (output layer: zero weights,
 * bias {@code atanh 0.9} for the mean and {@code ln 0.8 - 2} for the spread, since
 * {@code 0.9 σ(ln 0.8) + 0.1 = 0.9 · 4/9 + 0.1 = 0.5}).
 */
class ImaginedActionsTest {
    private static final float MEAN = 0.9f;
    private static final float STD = 0.5f;
    private static final int STARTS = 4096;

    @Test
    void theTrajectoryKeepsTheRawSampleTheScoreIsUnbiasedAndTheDynamicsGetTheClippedCopy(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(false, false, true, 1);
        try (DreamerAgent agent = Fixtures.agent(spec, Fixtures.experience(spec, 200, 1), dir, 7,
                Map.of("actor_grad", "reinforce"));
                NDManager m = NDManager.newBaseManager();
                NoGradient off = NoGradient.open()) {
            ActorCritic ac = agent.actorCritic();
            WorldModel wm = agent.worldModel();
            fixPolicy(ac);
            ParameterStore ps = new ParameterStore(m, false);
            Engine.getInstance().setRandomSeed(11);
            RssmState start = wm.rssm.zeroState(m, STARTS);
            ActorCritic.Trajectory traj = ac.imagine(ps, wm, start, m.ones(new Shape(STARTS)), 1);

            // the policy really is N(0.9, 0.5) everywhere
            Normal pi = (Normal) ((Independent) ac.policy(ps, traj.features())).base();
            assertThat(pi.mean().sub(MEAN).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(pi.std().sub(STD).abs().max().getFloat()).isLessThan(1e-5f);

            // 2 draws per start; P(a > 1) = P(z > 0.2) = 1 - Φ(0.2) = 0.4207 (sd of the fraction 0.0055)
            NDArray a = traj.actions();
            assertThat(a.getShape().get(0)).isEqualTo(STARTS);
            double above = a.gt(1f).toType(DataType.FLOAT32, false).mean().getFloat();

            // E[∂σ ln N(a; μ, σ)] = E[((a - μ)² - σ²) / σ³] = 0 and E[∂μ ln N] = E[(a - μ) / σ²] = 0 at the
            // sample itself (sd of the means over 8192 draws: √2/σ/90.5 = 0.031 and 1/σ/90.5 = 0.022). At the
            // clipped action they are (E[min(a,1)-μ)²] - σ²)/σ³ = (0.1295 - 0.25)/0.125 = -0.96 and
            // E[min(a,1) - μ]/σ² = (-σ φ(0.2) + 0.1 (1 - Φ(0.2)))/σ² = -0.61.
            NDArray mu = m.full(a.getShape(), MEAN);
            NDArray sigma = m.full(a.getShape(), STD);
            mu.setRequiresGradient(true);
            sigma.setRequiresGradient(true);
            try (GradientScope tape = GradientScope.open()) {
                tape.backward(new Normal(mu, sigma).logProb(a.stopGradient()).sum());
            }
            System.out.printf("stored actions above 1: %.4f; mean ∂σ ln π %.4f, mean ∂μ ln π %.4f%n", above,
                    sigma.getGradient().mean().getFloat(), mu.getGradient().mean().getFloat());
            assertThat(above).as("fraction of stored actions above 1").isCloseTo(0.4207, within(0.03));
            assertThat(sigma.getGradient().mean().getFloat()).as("mean ∂σ ln π at the stored actions")
                    .isCloseTo(0f, within(0.15f));
            assertThat(mu.getGradient().mean().getFloat()).as("mean ∂μ ln π at the stored actions")
                    .isCloseTo(0f, within(0.1f));

            // the first prior step took the clipped action: its h' is f(h_0, z_0, clip(a_0)), not f(.., a_0)
            NDArray a0 = a.get(":, 0");
            int deter = agent.config().deter();
            NDArray h1 = traj.features().get(":, 1, :{}", deter);
            NDArray clipped = wm.rssm.imgStep(ps, start, a0.clip(-1f, 1f), true, false).deter();
            assertThat(h1.sub(clipped).abs().max().getFloat()).isLessThan(1e-5f);
            NDArray raw = wm.rssm.imgStep(ps, start, a0, true, false).deter();
            assertThat(h1.sub(raw).abs().max().getFloat()).isGreaterThan(1e-3f);
        }
    }

    /** Zero weights and a fixed bias in the actor's output layer: π = N(0.9, 0.5) in every state. */
    private static void fixPolicy(ActorCritic ac) {
        Block actor = null;
        for (Pair<String, Block> child : ac.getChildren()) {
            if (child.getKey().endsWith("actor")) {
                actor = child.getValue();
            }
        }
        assertThat(actor).isNotNull();
        for (Pair<String, Parameter> e : Initializers.last(actor).getParameters()) {
            NDArray p = e.getValue().getArray();
            float[] values = new float[Math.toIntExact(p.size())];
            if (e.getValue().getType() == Parameter.Type.BIAS) {
                values[0] = (float) atanh(MEAN);
                values[1] = (float) (Math.log(0.8) - 2);
            }
            p.set(FloatBuffer.wrap(values));
        }
    }

    private static double atanh(double x) {
        return 0.5 * Math.log((1 + x) / (1 - x));
    }
}
