package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.nn.SimNorm;
import io.worldgate.runtime.optim.GradientScope;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TD-MPC2's math against values derived by hand. */
class TdMpc2MathTest {
    private static final float TOL = 1e-5f;
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray create(float... v) {
        return m.create(v);
    }

    @Test
    void simNormMakesEveryGroupOfEightSumToOne() {
        NDArray x = m.randomNormal(0, 3, new ai.djl.ndarray.types.Shape(4, 3, 32), ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray y = SimNorm.simNorm(x, 8);
        float[] sums = y.reshape(4, 3, 4, 8).sum(new int[] {3}).toFloatArray();
        assertThat(sums).hasSize(48);
        for (float s : sums) {
            assertThat(s).isCloseTo(1f, within(TOL));
        }
        assertThat(y.min().getFloat()).isGreaterThanOrEqualTo(0f);
    }

    /**
     * Groups of 2: x = (0, ln 3 | 0, 0) gives y = (1/4, 3/4 | 1/2, 1/2). The softmax Jacobian is
     * dy_i/dx_j = y_i (δ_ij - y_j) within a group and 0 across groups, so for L = y_0 + 2 y_3:
     * dL/dx = (y0(1 - y0), -y0 y1 | -2 y3 y2, 2 y3(1 - y3)) = (3/16, -3/16 | -1/2, 1/2).
     */
    @Test
    void simNormGradientIsTheSoftmaxJacobianOfEachGroup() {
        NDArray x = create(0f, (float) Math.log(3), 0f, 0f);
        x.setRequiresGradient(true);
        try (GradientScope tape = GradientScope.open()) {
            NDArray y = SimNorm.simNorm(x, 2);
            assertThat(y.toFloatArray()).containsExactly(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, within(TOL));
            tape.backward(y.mul(create(1f, 0f, 0f, 2f)).sum());
        }
        assertThat(x.getGradient().toFloatArray())
                .containsExactly(new float[] {3f / 16, -3f / 16, -0.5f, 0.5f}, within(TOL));
    }

    /**
     * 101 bins on symlog [-10, 10] are 0.2 apart: bin 50 is 0, bin 51 is 0.2, bin 52 is 0.4. A value
     * with symlog 0.25, x = e^0.25 - 1, lies a quarter of the way from bin 51 to 52.
     */
    @Test
    void twoHotAt101BinsSplitsAValueBetweenItsTwoBins() {
        TwoHotBins bins = TwoHotBins.tdmpc2();
        assertThat(bins.count()).isEqualTo(101);
        assertThat(bins.width()).isCloseTo(0.2f, within(TOL));
        float[] code = bins.encode(create((float) Math.expm1(0.25))).toFloatArray();
        assertThat(code[51]).isCloseTo(0.75f, within(TOL));
        assertThat(code[52]).isCloseTo(0.25f, within(TOL));
        assertThat(sum(code)).isCloseTo(1f, within(TOL));
        // decoding inverts encoding
        assertThat(bins.decode(bins.encode(create(0.7f))).getFloat()).isCloseTo(0.7f, within(1e-4f));
    }

    @Test
    void twoHotAt101BinsPutsEdgeValuesOnTheEdgeBins() {
        TwoHotBins bins = TwoHotBins.tdmpc2();
        float top = (float) Math.expm1(10); // symlog = 10 exactly: the last bin
        float[] code = bins.encode(create(top, -top, 1e7f, -1e7f, 0f)).toFloatArray();
        assertThat(code[100]).isCloseTo(1f, within(TOL));
        assertThat(code[101]).isCloseTo(1f, within(TOL)); // second value, bin 0
        assertThat(code[2 * 101 + 100]).isCloseTo(1f, within(TOL)); // beyond the support: clipped to its edge
        assertThat(code[3 * 101]).isCloseTo(1f, within(TOL));
        assertThat(code[4 * 101 + 50]).isCloseTo(1f, within(TOL)); // 0 is bin 50
        // the cross-entropy of uniform logits is ln 101 whatever the target
        NDArray ce = TdMpc2Losses.crossEntropy(m.zeros(new ai.djl.ndarray.types.Shape(2, 101)), create(top, 0.3f), bins);
        assertThat(ce.toFloatArray()).containsExactly(new float[] {(float) Math.log(101), (float) Math.log(101)},
                within(TOL));
    }

    /**
     * Five heads' values at two next states; the draw (1, 3) picks heads 1 and 3. With r = (1, -2),
     * c = (1, 0) (the second transition ends the episode) and γ = 0.9:
     * y = (1 + 0.9 min(5, 3), -2 + 0) = (3.7, -2).
     */
    @Test
    void tdTargetTakesTheMinimumOfTheTwoDrawnHeads() {
        NDArray q = m.create(new float[] {0, 0, 5, 7, 9, 9, 3, 8, -4, -4}, new ai.djl.ndarray.types.Shape(5, 2));
        NDArray y = TdMpc2Losses.tdTarget(create(1f, -2f), create(1f, 0f), 0.9f, q, new int[] {1, 3});
        assertThat(y.toFloatArray()).containsExactly(new float[] {3.7f, -2f}, within(TOL));
        // heads 0 and 4 would give min(0, -4) = -4 at the first state: 1 + 0.9 * -4
        assertThat(TdMpc2Losses.tdTarget(create(1f, -2f), create(1f, 1f), 0.9f, q, new int[] {0, 4}).toFloatArray())
                .containsExactly(new float[] {-2.6f, -2f - 0.9f * 4}, within(TOL));
    }

    @Test
    void twoHeadsAreDrawnDistinctAndEveryPairComesUp() {
        SplittableRandom rng = new SplittableRandom(3);
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int[] d = TdMpc2Losses.drawTwo(5, rng);
            assertThat(d[0]).isNotEqualTo(d[1]).isBetween(0, 4);
            assertThat(d[1]).isBetween(0, 4);
            pairs.add(Math.min(d[0], d[1]) + "," + Math.max(d[0], d[1]));
        }
        assertThat(pairs).hasSize(10);
    }

    /** Steps weigh ρ^t = 1, 0.5, 0.25 at ρ = 0.5, and the sum is divided by the 3 steps. */
    @Test
    void lossesWeighTheirStepsByRhoToTheT() {
        assertThat(TdMpc2Losses.rhoWeights(3, 0.5f)).containsExactly(1f, 0.5f, 0.25f);
        assertThat(TdMpc2Losses.overHorizon(create(2f, 4f, 8f), 0.5f).getFloat())
                .isCloseTo((2 * 1 + 4 * 0.5f + 8 * 0.25f) / 3, within(TOL));
        // consistency: per-step mean squared errors 1, 4, 16 (B = 1, Z = 2, both entries alike)
        NDArray predicted = m.create(new float[] {1, 1, 2, 2, 4, 4}, new ai.djl.ndarray.types.Shape(1, 3, 2));
        NDArray target = m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 2));
        assertThat(TdMpc2Losses.consistency(predicted, target, 0.5f).getFloat())
                .isCloseTo((1 + 4 * 0.5f + 16 * 0.25f) / 3, within(TOL));
        // reward: uniform logits cost ln 101 at every step
        float ln101 = (float) Math.log(101);
        NDArray logits = m.zeros(new ai.djl.ndarray.types.Shape(2, 3, 101));
        NDArray rewards = m.create(new float[] {0, 1, 2, 3, 4, 5}, new ai.djl.ndarray.types.Shape(2, 3));
        assertThat(TdMpc2Losses.reward(logits, rewards, TwoHotBins.tdmpc2(), 0.5f).getFloat())
                .isCloseTo(ln101 * 1.75f / 3, within(TOL));
        // value: averaged over the heads as well as the batch
        NDArray qLogits = m.zeros(new ai.djl.ndarray.types.Shape(5, 2, 3, 101));
        assertThat(TdMpc2Losses.value(qLogits, rewards, TwoHotBins.tdmpc2(), 0.5f).getFloat())
                .isCloseTo(ln101 * 1.75f / 3, within(TOL));
        // policy: -(α H + Q / S), per step mean over the batch: steps (-(0 + 2/2), -(0 + 4/2), -(0 + 8/2)) over T = 3
        NDArray q = m.create(new float[] {2, 4, 8}, new ai.djl.ndarray.types.Shape(1, 3));
        assertThat(TdMpc2Losses.policy(q, m.zeros(new ai.djl.ndarray.types.Shape(1, 3)), 1e-4f, 2f, 0.5f).getFloat())
                .isCloseTo(-(1 + 2 * 0.5f + 4 * 0.25f) / 3, within(TOL));
    }

    /**
     * The value loss scores every Q head against the TD target. Two heads, B = 1, H = 3, targets 0
     * (symlog 0: exactly bin 50 of 101): head 0 has zero logits (CE ln 101), head 1 has logit 2 at
     * bin 50 (CE ln(100 + e²) - 2). The loss is their mean, weighted over the horizon, and both
     * heads get a gradient (before a fix only head 0 was scored and heads 1.. never learned).
     */
    @Test
    void theValueLossTrainsEveryHead() {
        float[] raw = new float[2 * 3 * 101];
        for (int t = 0; t < 3; t++) {
            raw[(3 + t) * 101 + 50] = 2f;
        }
        NDArray qLogits = m.create(raw, new ai.djl.ndarray.types.Shape(2, 1, 3, 101));
        qLogits.setRequiresGradient(true);
        NDArray targets = m.zeros(new ai.djl.ndarray.types.Shape(1, 3));
        double ce0 = Math.log(101);
        double ce1 = Math.log(100 + Math.exp(2)) - 2;
        NDArray loss;
        try (io.worldgate.runtime.optim.GradientScope tape = io.worldgate.runtime.optim.GradientScope.open()) {
            loss = TdMpc2Losses.value(qLogits, targets, TwoHotBins.tdmpc2(), 0.5f);
            tape.backward(loss);
        }
        assertThat(loss.getFloat()).isCloseTo((float) ((ce0 + ce1) / 2 * 1.75 / 3), within(TOL));
        NDArray grad = qLogits.getGradient();
        for (int head = 0; head < 2; head++) {
            assertThat(grad.get(head).abs().sum().getFloat()).as("gradient of head %d", head).isGreaterThan(1e-3f);
        }
    }

    /**
     * Two action dimensions, μ = 0 and the raw log-std output 0, so log σ = -10 + 6 (0 + 1) = -4;
     * noise ε = (1, 0). Then u = (e^-4, 0), a = tanh(u), the Gaussian log-density
     * Σ(-ε²/2 - log σ - ½ ln 2π) = (3.5 - c) + (4 - c), scaled by A = 2, minus Σ ln(1 - a² + 1e-6).
     */
    @Test
    void policyPriorScalesTheGaussianTermOfItsEntropyByTheActionDimension() {
        PolicyPrior.Sample s = PolicyPrior.sample(m.zeros(new ai.djl.ndarray.types.Shape(1, 4)), create(1f, 0f).reshape(1, 2),
                -10f, 2f);
        double c = 0.5 * Math.log(2 * Math.PI);
        double a0 = Math.tanh(Math.exp(-4));
        double logPi = 2 * ((3.5 - c) + (4 - c)) - (Math.log(1 - a0 * a0 + 1e-6) + Math.log(1 + 1e-6));
        assertThat(s.logStd().toFloatArray()).containsExactly(-4f, -4f);
        assertThat(s.action().toFloatArray()).containsExactly(new float[] {(float) a0, 0f}, within(1e-6f));
        assertThat(s.mean().toFloatArray()).containsExactly(0f, 0f);
        assertThat(s.scaledEntropy().getFloat()).isCloseTo((float) -logPi, within(1e-4f));
    }

    /** Q values 0..100: p5 = 5, p95 = 95, spread 90; the scale moves τ = 0.01 of the way from 1. */
    @Test
    void qScaleFollowsThePercentileSpreadAndStaysAtLeastOne() {
        float[] q = new float[101];
        for (int i = 0; i < q.length; i++) {
            q[i] = 100 - i;
        }
        QScale scale = new QScale(0.01f);
        scale.update(q);
        assertThat(scale.value()).isCloseTo(1 + 0.01 * (90 - 1), within(1e-6));
        QScale small = new QScale(0.01f);
        small.update(new float[] {0.1f, 0.2f, 0.3f});
        assertThat(small.value()).isEqualTo(1.0);
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }
}
