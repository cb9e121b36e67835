package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.math.SymexpBins;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The replay value loss's targets and loss on tiny trajectories worked out by hand (γ = λ = 0.5). */
class ReplayValueLossTest {
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
    void returnsStopAtEpisodeEndsAndPaddingAndBootstrapFromTheImaginedReturns() {
        // row 0: an episode terminates at step 2, the next starts at step 3; b = 10, 20, 30, 40, 50
        //   R_4 = b_4 = 50 (not a target)
        //   R_3 = r_4 + γ b_4 = 4 + 25 = 29                       (λ_4 does not matter: R_4 = b_4)
        //   R_2 = r_3 + γ (0.5 b_3 + 0.5 R_3) = 3 + 0.5 (20 + 14.5) = 20.25   (crosses episodes: weight 0)
        //   R_1 = r_2 + γ (1 - term_2) (...) = 2                   (step 2 terminal)
        //   R_0 = r_1 + γ (0.5 b_1 + 0.5 R_1) = 1 + 0.5 (10 + 1) = 6.5
        // row 1: steps 3 and 4 are padding (b = 100 there, must not leak); b = 4, 4, 8
        //   R_1 = r_2 + γ b_2 = 1 + 4 = 5                           (step 2 is the last stored one)
        //   R_0 = r_1 + γ (0.5 b_1 + 0.5 R_1) = 1 + 0.5 (2 + 2.5) = 3.25
        NDArray rewards = rows(new float[] {0, 1, 2, 3, 4}, new float[] {0, 1, 1, 0, 0});
        NDArray isFirst = rows(new float[] {1, 0, 0, 1, 0}, new float[] {0, 0, 0, 0, 0});
        NDArray isTerminal = rows(new float[] {0, 0, 1, 0, 0}, new float[] {0, 0, 0, 0, 0});
        NDArray mask = rows(new float[] {1, 1, 1, 1, 1}, new float[] {1, 1, 1, 0, 0});
        NDArray boot = rows(new float[] {10, 20, 30, 40, 50}, new float[] {4, 4, 8, 100, 100});
        ReplayValueLoss.Targets t = ReplayValueLoss.targets(rewards, isFirst, isTerminal, mask, boot, 0.5f, 0.5f);
        assertThat(t.returns().getShape()).isEqualTo(new Shape(2, 4));
        float[] r = t.returns().toFloatArray();
        assertThat(new float[] {r[0], r[1], r[2], r[3]}).containsExactly(6.5f, 2f, 20.25f, 29f);
        assertThat(new float[] {r[4], r[5]}).containsExactly(3.25f, 5f);
        assertThat(t.weights().toFloatArray()).containsExactly(1, 1, 0, 1, 1, 1, 0, 0);
    }

    @Test
    void theLossIsTheWeightedTwoHotCrossEntropyWithTheSlowRegulariser() {
        // 5 bins at -6.389, -1.718, 0, 1.718, 6.389 (SymexpBinsTest): target 1 is 0.4180233 on bin 2
        // and 0.5819767 on bin 3; target 0 is bin 2; target -3 is 0.2744124 on bin 0, 0.7255876 on bin 1.
        //   t = 0: R = 1, v_slow = 0:  -[(0.4180233 (-3) + 0.5819767 (-4)) + (-3)]      = 6.5819767
        //   t = 1: R = 0, v_slow = -3: -[(-3) + (0.2744124 (-5) + 0.7255876 (-4))]      = 7.2744124
        NDArray logp = m.create(new float[] {-1, -2, -3, -4, -5, -5, -4, -3, -2, -1}, new Shape(1, 2, 5));
        NDArray returns = m.create(new float[] {1, 0}, new Shape(1, 2));
        NDArray slow = m.create(new float[] {0, -3}, new Shape(1, 2));
        NDArray mask = m.create(new float[] {1, 1, 1}, new Shape(1, 3));
        SymexpBins bins = new SymexpBins(5, 2f);
        NDArray both = ReplayValueLoss.loss(logp, new ReplayValueLoss.Targets(returns, m.create(new float[] {1, 1}, new Shape(1, 2))),
                slow, mask, bins, 1f);
        assertThat(both.getFloat()).isCloseTo((6.5819767f + 7.2744124f) / 2, within(1e-5f));
        // a step without weight adds nothing but still counts among the stored steps
        NDArray first = ReplayValueLoss.loss(logp, new ReplayValueLoss.Targets(returns, m.create(new float[] {1, 0}, new Shape(1, 2))),
                slow, mask, bins, 1f);
        assertThat(first.getFloat()).isCloseTo(6.5819767f / 2, within(1e-5f));
    }

    private static NDArray rows(float[] a, float[] b) {
        float[] both = new float[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return m.create(both, new Shape(2, a.length));
    }
}
