package io.worldgate.runtime.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.Grad;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.optim.GradientScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SymexpTwoHotTest {
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
    void zeroLogitsMeanZero() {
        // a zero-initialised head gives uniform p over symmetric bins: Σ p b = 0 and symexp(0) = 0
        SymexpTwoHot d = new SymexpTwoHot(m.zeros(new Shape(3, 255)), TwoHotBins.dreamerV3());
        for (float v : d.mean().toFloatArray()) {
            assertThat(v).isCloseTo(0f, within(1e-4f));
        }
    }

    @Test
    void lossGradientMovesMassTowardsTheTarget() {
        // 5 bins on [-2, 2], logits 0: p = 0.2 each. Target x with symlog(x) = 0.25: code
        // (0, 0, 0.75, 0.25, 0). d loss / d logit_i = p_i - code_i = (0.2, 0.2, -0.55, -0.05, 0.2):
        // negative exactly on the two bins around the target (a gradient step raises them).
        TwoHotBins bins = new TwoHotBins(5, -2f, 2f);
        NDArray target = m.create(new float[] {0.2840254166877414f});
        float[] g = Grad.of(m, l -> new SymexpTwoHot(l.reshape(1, 5), bins).loss(target), 0f, 0f, 0f, 0f, 0f);
        float[] byHand = {0.2f, 0.2f, -0.55f, -0.05f, 0.2f};
        for (int i = 0; i < 5; i++) {
            assertThat(g[i]).isCloseTo(byHand[i], within(1e-5f));
        }
        // and the loss value is the cross-entropy: -(0.75 ln 0.2 + 0.25 ln 0.2) = ln 5 = 1.609438
        NDArray loss = new SymexpTwoHot(m.zeros(new Shape(1, 5)), bins).loss(target);
        assertThat(loss.toFloatArray()[0]).isCloseTo(1.609438f, within(1e-5f));
    }

    /**
     * One target per item, scored under every head of an ensemble: logp {@code [2, 3, 5]} against
     * targets {@code [1, 3]}. 5 bins on [-2, 2], targets at the centre bin 2 (symlog 0): head 0 has
     * zero logits, so ln p_2 = -ln 5; head 1 has logit 2 at bin 2, so ln p_2 = 2 - ln(4 + e²).
     * Both heads are scored (libtorch's gather alone would keep head 0 only).
     */
    @Test
    void targetsBroadcastOverAnEnsemblesHeads() {
        TwoHotBins bins = new TwoHotBins(5, -2f, 2f);
        float[] logits = new float[2 * 3 * 5];
        for (int i = 0; i < 3; i++) {
            logits[(3 + i) * 5 + 2] = 2f;
        }
        NDArray logp = m.create(logits, new Shape(2, 3, 5)).logSoftmax(-1);
        NDArray targets = m.zeros(new Shape(1, 3));
        NDArray lp = SymexpTwoHot.logProb(logp, bins.locateValue(targets));
        assertThat(lp.getShape()).isEqualTo(new Shape(2, 3));
        float head0 = (float) -Math.log(5);
        float head1 = (float) (2 - Math.log(4 + Math.exp(2)));
        assertThat(lp.toFloatArray()).containsExactly(new float[] {head0, head0, head0, head1, head1, head1}, within(1e-5f));
    }

    @Test
    void aFewStepsOfDescentFitTheTarget() {
        TwoHotBins bins = TwoHotBins.tdmpc2();
        NDArray logits = m.zeros(new Shape(1, 101));
        logits.setRequiresGradient(true);
        NDArray target = m.create(new float[] {37f});
        for (int i = 0; i < 200; i++) {
            try (GradientScope tape = GradientScope.open()) {
                tape.backward(new SymexpTwoHot(logits, bins).loss(target));
            }
            NDArray g = logits.getGradient();
            logits.subi(g.mul(5f));
            g.muli(0f);
        }
        assertThat(new SymexpTwoHot(logits, bins).mean().toFloatArray()[0]).isCloseTo(37f, within(0.5f));
    }

    @Test
    void gatheredLogProbEqualsTheFullTwoHotCrossEntropy() {
        // the two gathered bins give exactly Σ_i twohot(x)_i log p_i, inside and outside the bin range
        TwoHotBins bins = TwoHotBins.dreamerV3();
        NDArray logits = m.randomNormal(new Shape(4, 3, 255));
        NDArray x = m.create(new float[] {-1e9f, -250f, -3.5f, -0.01f, 0f, 0.01f, 0.7f, 1f, 42f, 1e4f, 4.85e8f, 1e9f},
                new Shape(4, 3));
        float[] gathered = new SymexpTwoHot(logits, bins).logProb(x).toFloatArray();
        float[] full = bins.encode(x).mul(logits.logSoftmax(-1)).sum(new int[] {-1}).toFloatArray();
        for (int i = 0; i < full.length; i++) {
            assertThat(gathered[i]).isCloseTo(full[i], within(1e-4f));
        }
    }
}
