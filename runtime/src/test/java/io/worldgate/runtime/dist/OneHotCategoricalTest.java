package io.worldgate.runtime.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.Grad;
import io.worldgate.runtime.optim.GradientScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OneHotCategoricalTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void straightThroughGradientEqualsTheSoftmaxGradient() {
        // Loss w·x with w = (1, 0, -1) at logits (0, 0, 0): p = (1/3, 1/3, 1/3), Σ p w = 0, and
        // d(w·p)/dl_j = p_j (w_j - Σ_k p_k w_k) = (1/3, 0, -1/3). With unimix u = 0.01 the
        // probabilities are (1 - u) softmax + u/K, so the gradient is scaled by 0.99.
        float[] w = {1f, 0f, -1f};
        NDArray weights = m.create(w);
        for (float u : new float[] {0f, 0.01f}) {
            float[] viaSample = Grad.of(m, l -> new OneHotCategorical(l, u).sample().mul(weights), 0f, 0f, 0f);
            float[] viaMode = Grad.of(m, l -> new OneHotCategorical(l, u).mode().mul(weights), 0f, 0f, 0f);
            float[] viaProbs = Grad.of(m, l -> new OneHotCategorical(l, u).probs().mul(weights), 0f, 0f, 0f);
            // the same with every intermediate closed before the backward pass
            float[] viaSampleOnly = Grad.of(m, l -> OneHotCategorical.sampleOneHot(l, u, true, true).mul(weights), 0f, 0f, 0f);
            float[] viaModeOnly = Grad.of(m, l -> OneHotCategorical.sampleOneHot(l, u, false, true).mul(weights), 0f, 0f, 0f);
            float s = 1 - u;
            float[] byHand = {s / 3, 0f, -s / 3};
            for (int j = 0; j < 3; j++) {
                assertThat(viaSample[j]).isCloseTo(byHand[j], within(1e-6f));
                assertThat(viaMode[j]).isCloseTo(byHand[j], within(1e-6f));
                assertThat(viaProbs[j]).isCloseTo(viaSample[j], within(1e-7f));
                assertThat(viaSampleOnly[j]).isCloseTo(byHand[j], within(1e-6f));
                assertThat(viaModeOnly[j]).isCloseTo(byHand[j], within(1e-6f));
            }
        }
        // and at asymmetric logits, sample and probs gradients still agree exactly
        float[] a = Grad.of(m, l -> new OneHotCategorical(l, 0.01f).sample().mul(weights), 0.3f, -1.2f, 2f);
        float[] b = Grad.of(m, l -> new OneHotCategorical(l, 0.01f).probs().mul(weights), 0.3f, -1.2f, 2f);
        for (int j = 0; j < 3; j++) {
            assertThat(a[j]).isCloseTo(b[j], within(1e-7f));
        }
    }

    @Test
    void samplingLeavesOnlyTheSampleAndTheCachedProbabilities() {
        // 16 x 32 classes: a sample's intermediates (mixed probabilities, CDF, comparison, indices, one-hots
        // and the straight-through sums) are closed as soon as read; sampleOneHot also closes the probabilities
        try (NDManager update = m.newSubManager(); GradientScope tape = GradientScope.open()) {
            NDArray logits = update.randomNormal(new Shape(16, 32));
            logits.setRequiresGradient(true);
            OneHotCategorical d = new OneHotCategorical(logits, 0.01f);
            NDArray sample = d.sample();
            assertThat(tensors(update)).as("logits, probabilities, sample").isEqualTo(3);
            NDArray only = OneHotCategorical.sampleOneHot(logits, 0.01f, true, true);
            assertThat(tensors(update)).as("and the second sample").isEqualTo(4);
            tape.backward(sample.add(only).mul(logits.stopGradient()).sum());
            assertThat(logits.getGradient().abs().sum().getFloat()).isPositive();
        }
    }

    /** Arrays of more than one element in {@code manager}. */
    private static long tensors(NDManager manager) {
        return manager.getManagedArrays().stream().filter(a -> a.size() > 1).count();
    }

    @Test
    void samplesAreOneHotWithTheRightFrequencies() {
        // logits ln(1), ln(3) -> p = (0.25, 0.75); 4000 draws, std of the mean ≈ 0.007
        NDArray logits = m.create(new float[] {0f, (float) Math.log(3)}).reshape(1, 2).repeat(0, 4000);
        NDArray s = new OneHotCategorical(logits).sample();
        assertThat(s.getShape()).isEqualTo(new Shape(4000, 2));
        // onehot + p - sg(p) is one-hot up to float rounding
        for (float v : s.sum(new int[] {1}).toFloatArray()) {
            assertThat(v).isCloseTo(1f, within(1e-6f));
        }
        for (float v : s.toFloatArray()) {
            assertThat(v < 1e-6f || v > 1 - 1e-6f).isTrue();
        }
        float freq = s.mean(new int[] {0}).toFloatArray()[1];
        assertThat(freq).isCloseTo(0.75f, within(0.03f));
    }

    @Test
    void unimixKeepsEveryProbabilityAboveUOverK() {
        // softmax(-50, 0, 50) ≈ (0, 0, 1); mixed with u = 0.01: min p = 0.01/3 = 0.0033333
        OneHotCategorical d = new OneHotCategorical(m.create(new float[] {-50f, 0f, 50f}), 0.01f);
        float[] p = d.probs().toFloatArray();
        for (float v : p) {
            assertThat(v).isGreaterThanOrEqualTo(0.01f / 3 * (1 - 1e-5f));
        }
        assertThat(p[2]).isCloseTo(0.99f + 0.01f / 3, within(1e-6f));
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1f, within(1e-6f));
        // log-prob of the unlikely class is finite: ln(0.0033333) = -5.70378
        NDArray onehot = m.create(new float[] {1f, 0f, 0f});
        assertThat(d.logProb(onehot).getFloat()).isCloseTo(-5.70378f, within(1e-4f));
    }

    @Test
    void entropyAndKl() {
        // uniform over 4: H = ln 4 = 1.386294; KL(uniform || uniform) = 0
        OneHotCategorical u4 = new OneHotCategorical(m.zeros(new Shape(4)));
        assertThat(u4.entropy().getFloat()).isCloseTo(1.386294f, within(1e-6f));
        assertThat(u4.kl(new OneHotCategorical(m.zeros(new Shape(4)))).getFloat()).isCloseTo(0f, within(1e-7f));
        // Dreamer's latent: 32 categoricals of 32 classes, independent -> H = 32 ln 32 = 110.903549
        Independent latent = new Independent(new OneHotCategorical(m.zeros(new Shape(2, 32, 32)), 0.01f), 1);
        assertThat(latent.entropy().getShape()).isEqualTo(new Shape(2));
        assertThat(latent.entropy().toFloatArray()[0]).isCloseTo(110.903549f, within(1e-3f));
        NDArray z = latent.sample();
        assertThat(z.getShape()).isEqualTo(new Shape(2, 32, 32));
        // log-prob of any sample under a uniform latent: 32 ln(1/32) = -110.903549
        assertThat(latent.logProb(z).toFloatArray()[1]).isCloseTo(-110.903549f, within(1e-3f));
    }

    @Test
    void oneHotWithoutStraightThroughCarriesNoGradient() {
        // w·onehot has no gradient of its own; the l·0 term only makes the sum depend on the leaf
        NDArray weights = m.create(new float[] {1f, 0f, -1f});
        NDArray zeros = m.zeros(new Shape(3));
        for (boolean sample : new boolean[] {true, false}) {
            float[] g = Grad.of(m, l -> new OneHotCategorical(l, 0.01f).oneHot(sample, false).mul(weights).add(l.mul(zeros)),
                    0f, 0f, 0f);
            assertThat(g).containsExactly(0f, 0f, 0f);
            // and with it, the softmax gradient (1 - u)(1/3, 0, -1/3)
            float[] st = Grad.of(m, l -> new OneHotCategorical(l, 0.01f).oneHot(sample, true).mul(weights), 0f, 0f, 0f);
            assertThat(st[0]).isCloseTo(0.99f / 3, within(1e-6f));
            assertThat(st[2]).isCloseTo(-0.99f / 3, within(1e-6f));
        }
    }

    @Test
    void modeIsTheArgmaxOneHot() {
        NDArray logits = m.create(new float[] {0.1f, 2f, -1f, 3f, 0f, 0f}, new Shape(2, 3));
        assertThat(new OneHotCategorical(logits, 0.01f).oneHot(false, false).toFloatArray())
                .containsExactly(0f, 1f, 0f, 1f, 0f, 0f);
    }

    @Test
    void inverseCdfSamplesFollowTheProbabilities() {
        // a class with probability ~1 is always drawn
        NDArray sure = m.create(new float[] {-50f, 50f, -50f}).reshape(1, 3).repeat(0, 500);
        float[] counts = new OneHotCategorical(sure).oneHot(true, false).sum(new int[] {0}).toFloatArray();
        assertThat(counts).containsExactly(0f, 500f, 0f);
        // p = (0.2, 0.3, 0.5) from logits log p; the standard error of a frequency at n = 20000 is <= 0.0036
        int n = 20000;
        NDArray logits = m.create(new float[] {(float) Math.log(0.2), (float) Math.log(0.3), (float) Math.log(0.5)})
                .reshape(1, 3).repeat(0, n);
        NDArray indices = new OneHotCategorical(logits).sampleIndices();
        assertThat(indices.getShape()).isEqualTo(new Shape(n));
        float[] freq = indices.oneHot(3).sum(new int[] {0}).toFloatArray();
        assertThat(freq[0] / n).isCloseTo(0.2f, within(0.015f));
        assertThat(freq[1] / n).isCloseTo(0.3f, within(0.015f));
        assertThat(freq[2] / n).isCloseTo(0.5f, within(0.015f));
    }
}
