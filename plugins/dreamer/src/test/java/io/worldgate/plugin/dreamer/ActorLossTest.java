package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.dist.Independent;
import io.worldgate.runtime.dist.Normal;
import io.worldgate.runtime.optim.GradientScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pieces of the continuous REINFORCE actor loss, on values worked out by hand. */
class ActorLossTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void theDynamicsGetMagnitudesClippedAtOneWithTheGradientScaledBySgOfTheSameFactor() {
        NDArray a = m.create(new float[] {1.4f, -3f, 0.5f});
        a.setRequiresGradient(true);
        NDArray clipped;
        try (GradientScope tape = GradientScope.open()) {
            clipped = ActorCritic.clipMagnitude(a);
            tape.backward(clipped.sum());
        }
        assertThat(clipped.toFloatArray()).containsExactly(new float[] {1f, -1f, 0.5f}, within(1e-6f));
        // d/da of a / sg(max(1, |a|)) = 1 / max(1, |a|): 1/1.4, 1/3, 1
        assertThat(a.getGradient().toFloatArray()).containsExactly(new float[] {0.7142857f, 0.3333333f, 1f},
                within(1e-6f));
    }

    /**
     * π = N(0.9, 0.5), a sample of 1.4 (z = 1), advantage 2, η = 0.1, weight 1, one step:
     *
     * <pre>
     *   ln π(1.4) = -z²/2 - ln σ - ½ ln 2π = -0.5 + 0.6931472 - 0.9189385 = -0.7257913
     *   H[π]      = ln σ + ½ + ½ ln 2π                                     =  0.7257913
     *   L         = -(2 ln π(1.4) + 0.1 H)        = 1.4515826 - 0.0725791  =  1.3790035
     *   ∂L/∂μ     = -2 (a - μ)/σ²                 = -2 · 0.5 / 0.25        = -4
     *   ∂L/∂σ     = -2 ((a - μ)² - σ²)/σ³ - 0.1/σ = 0 - 0.2                = -0.2
     * </pre>
     *
     * Scored at the clipped 1.0 instead (z = 0.2): ln π = -0.2457913, L = 0.4191035, ∂L/∂μ = -0.8,
     * ∂L/∂σ = -2 (0.04 - 0.25)/0.125 - 0.2 = 3.16.
     */
    @Test
    void reinforceScoresTheActionItIsGivenHere14NotItsClippedValue() {
        NDArray mu = m.full(new Shape(1, 1, 1), 0.9f);
        NDArray sigma = m.full(new Shape(1, 1, 1), 0.5f);
        mu.setRequiresGradient(true);
        sigma.setRequiresGradient(true);
        NDArray loss;
        try (GradientScope tape = GradientScope.open()) {
            Independent pi = new Independent(new Normal(mu, sigma), 1);
            loss = ActorCritic.reinforceLoss(pi, m.full(new Shape(1, 1, 1), 1.4f), m.full(new Shape(1, 1), 2f),
                    pi.entropy(), m.ones(new Shape(1, 1)), 0.1f, m.create(1f));
            tape.backward(loss);
        }
        assertThat(loss.getFloat()).isCloseTo(1.3790035f, within(1e-5f));
        assertThat(mu.getGradient().getFloat()).isCloseTo(-4f, within(1e-5f));
        assertThat(sigma.getGradient().getFloat()).isCloseTo(-0.2f, within(1e-5f));
    }
}
