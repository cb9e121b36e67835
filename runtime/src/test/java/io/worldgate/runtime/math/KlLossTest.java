package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.Grad;
import io.worldgate.runtime.dist.OneHotCategorical;
import io.worldgate.runtime.optim.GradientScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KlLossTest {
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
    void freeBitsHaveZeroGradientBelowTheThreshold() {
        // max(1, kl): value 1 and slope 0 for kl = 0.3; value and slope of kl (2.5, 1) above
        float[] g = Grad.of(m, kl -> KlLoss.freeBits(kl, 1f), 0.3f, 2.5f);
        assertThat(g).containsExactly(0f, 1f);
        assertThat(KlLoss.freeBits(m.create(new float[] {0.3f, 2.5f}), 1f).toFloatArray()).containsExactly(1f, 2.5f);
    }

    @Test
    void klBetweenCategoricalsBelowFreeBitsGivesNoGradient() {
        // posterior logits (0, ln 2): q = (1/3, 2/3); prior uniform p = (1/2, 1/2)
        // KL(q||p) = 1/3 ln(2/3) + 2/3 ln(4/3) = -0.135155 + 0.191788 = 0.056633 < 1
        NDArray post = Grad.leaf(m, 0f, (float) Math.log(2));
        NDArray prior = Grad.leaf(m, 0f, 0f);
        try (GradientScope tape = GradientScope.open()) {
            KlLoss.DynRep l = KlLoss.dynRep(new OneHotCategorical(post), new OneHotCategorical(prior), 1f);
            assertThat(l.dyn().getFloat()).isEqualTo(1f);
            assertThat(l.rep().getFloat()).isEqualTo(1f);
            NDArray raw = new OneHotCategorical(post).kl(new OneHotCategorical(prior));
            assertThat(raw.getFloat()).isCloseTo(0.056633f, within(1e-5f));
            tape.backward(l.dyn().add(l.rep()));
        }
        assertThat(post.getGradient().toFloatArray()).containsExactly(0f, 0f);
        assertThat(prior.getGradient().toFloatArray()).containsExactly(0f, 0f);
    }

    @Test
    void dynTrainsThePriorAndRepThePosterior() {
        // q = softmax(0, 3) far from uniform p: KL = 1.55 > free bits 0.5 (value checked only > 0.5)
        NDArray postForDyn = Grad.leaf(m, 0f, 3f);
        NDArray priorForDyn = Grad.leaf(m, 0f, 0f);
        try (GradientScope tape = GradientScope.open()) {
            KlLoss.DynRep l = KlLoss.dynRep(new OneHotCategorical(postForDyn), new OneHotCategorical(priorForDyn), 0.5f);
            assertThat(l.dyn().getFloat()).isGreaterThan(0.5f);
            tape.backward(l.dyn());
        }
        // dyn = KL(sg(q) || p): only the prior gets a gradient, d/dp_logits = p - q
        assertThat(postForDyn.getGradient().toFloatArray()).containsExactly(0f, 0f);
        float q1 = (float) (Math.exp(3) / (1 + Math.exp(3)));
        assertThat(priorForDyn.getGradient().toFloatArray()[1]).isCloseTo(0.5f - q1, within(1e-6f));

        NDArray postForRep = Grad.leaf(m, 0f, 3f);
        NDArray priorForRep = Grad.leaf(m, 0f, 0f);
        try (GradientScope tape = GradientScope.open()) {
            KlLoss.DynRep l = KlLoss.dynRep(new OneHotCategorical(postForRep), new OneHotCategorical(priorForRep), 0.5f);
            tape.backward(l.rep());
        }
        assertThat(priorForRep.getGradient().toFloatArray()).containsExactly(0f, 0f);
        assertThat(postForRep.getGradient().toFloatArray()[1]).isNotEqualTo(0f);
    }

    @Test
    void balancedKlSplitsTheGradient() {
        // value α KL + (1-α) KL = KL; prior gradient scaled by α = 0.8 compared to dyn alone
        NDArray post = Grad.leaf(m, 0f, 3f);
        NDArray prior = Grad.leaf(m, 0f, 0f);
        float kl;
        try (GradientScope tape = GradientScope.open()) {
            NDArray l = KlLoss.balanced(new OneHotCategorical(post), new OneHotCategorical(prior), 0.8f, 0f);
            kl = new OneHotCategorical(post).kl(new OneHotCategorical(prior)).getFloat();
            assertThat(l.getFloat()).isCloseTo(kl, within(1e-6f));
            tape.backward(l);
        }
        float q1 = (float) (Math.exp(3) / (1 + Math.exp(3)));
        assertThat(prior.getGradient().toFloatArray()[1]).isCloseTo(0.8f * (0.5f - q1), within(1e-6f));
    }
}
