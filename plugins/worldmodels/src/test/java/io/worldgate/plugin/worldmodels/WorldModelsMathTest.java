package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** V's and M's losses and M's temperature against values derived by hand. */
class WorldModelsMathTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray a(float[] values, long... shape) {
        return m.create(values, new Shape(shape));
    }

    @Test
    void klOfAKnownPosterior() {
        // mu = (1, 0), logVar = (0, ln 2): -1/2 [(1 + 0 - 1 - 1) + (1 + ln 2 - 0 - 2)] = 1 - ln(2) / 2
        NDArray kl = WorldModelsLosses.kl(a(new float[] {1, 0}, 1, 2), a(new float[] {0, (float) Math.log(2)}, 1, 2));
        assertThat(kl.getFloat(0)).isCloseTo((float) (1 - Math.log(2) / 2), within(1e-6f));
    }

    @Test
    void vaeLossSumsTheSquaredErrorAndHoldsTheKlAtTheTolerance() {
        NDArray images = a(new float[] {0, 0}, 1, 1, 1, 2);
        NDArray recon = a(new float[] {0.5f, 1}, 1, 1, 1, 2); // 0.25 + 1
        NDArray mu = a(new float[] {1, 0}, 1, 2);
        NDArray logVar = a(new float[] {0, (float) Math.log(2)}, 1, 2);
        double kl = 1 - Math.log(2) / 2; // 0.653
        WorldModelsLosses.Loss free = WorldModelsLosses.vae(images, recon, mu, logVar, 0f);
        assertThat(free.total().getFloat()).isCloseTo((float) (1.25 + kl), within(1e-5f));
        // tolerance 0.5 nats per dimension, 2 dimensions: the KL term is held at 1.0
        WorldModelsLosses.Loss held = WorldModelsLosses.vae(images, recon, mu, logVar, 0.5f);
        assertThat(held.total().getFloat()).isCloseTo(2.25f, within(1e-5f));
        assertThat(held.metrics().get("vae/kl")).isCloseTo(kl, within(1e-5));
        assertThat(held.metrics().get("vae/reconstruction")).isCloseTo(1.25, within(1e-6));
    }

    @Test
    void aPosteriorDrawIsTheMeanPlusTheStandardDeviationTimesTheNoise() {
        // logVar = ln 4 -> sigma 2: 1 + 2 * 0.5 = 2; logVar = 0 -> sigma 1: -3 + 1 * (-1) = -4
        NDArray z = Vae.draw(a(new float[] {1, -3}, 1, 2), a(new float[] {(float) Math.log(4), 0}, 1, 2),
                a(new float[] {0.5f, -1}, 1, 2));
        assertThat(z.toFloatArray()).containsExactly(new float[] {2f, -4f}, within(1e-6f));
    }

    @Test
    void carControlsBrakeOnlyOnTheUpperHalfOfTheBrakeOutputAndShowMTheMappedAction() {
        // a linear C with bias only (one input of 0): tanh(b) = (0.5, -0.2, -0.6) and (0.1, 0.3, 0.4)
        Controller car = new Controller(1, 0, 3, false, true);
        Controller linear = new Controller(1, 0, 3, false);
        double[] b1 = {atanh(0.5), atanh(-0.2), atanh(-0.6)};
        double[] b2 = {atanh(0.1), atanh(0.3), atanh(0.4)};
        double[][] params = {{0, 0, 0, b1[0], b1[1], b1[2]}, {0, 0, 0, b2[0], b2[1], b2[2]}};
        NDArray x = m.zeros(new Shape(2, 1, 1));
        // model actions; the host maps each linearly onto CarRacing's bounds: brake (m + 1) / 2
        // car: brake max(-0.6, 0) = 0 -> model -1; max(0.4, 0) = 0.4 -> model -0.2; steer and gas as linear
        assertThat(car.act(car.weights(m, params), x).toFloatArray())
                .containsExactly(new float[] {0.5f, -0.2f, -1f, 0.1f, 0.3f, -0.2f}, within(1e-5f));
        assertThat(linear.act(linear.weights(m, params), x).toFloatArray())
                .containsExactly(new float[] {0.5f, -0.2f, -0.6f, 0.1f, 0.3f, 0.4f}, within(1e-5f));
    }

    private static double atanh(double v) {
        return 0.5 * Math.log((1 + v) / (1 - v));
    }

    /** One z dimension, two components: π = (1/4, 3/4), μ = (0, 2), σ = (1, 1/2). */
    private MdnRnn.Mixture twoComponents() {
        return new MdnRnn.Mixture(a(new float[] {(float) Math.log(0.25), (float) Math.log(0.75)}, 1, 1, 2),
                a(new float[] {0, 2}, 1, 1, 2), a(new float[] {0, (float) Math.log(0.5)}, 1, 1, 2), null);
    }

    @Test
    void mixtureNegativeLogLikelihoodOfATinyKnownCase() {
        // at y = 1: N(1; 0, 1) = e^{-1/2} / √(2π), N(1; 2, 1/2) = e^{-2} / (√(2π) / 2)
        double n1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
        double n2 = Math.exp(-2) / (0.5 * Math.sqrt(2 * Math.PI));
        double expected = -Math.log(0.25 * n1 + 0.75 * n2); // 1.9556
        NDArray nll = WorldModelsLosses.mixtureNll(twoComponents(), a(new float[] {1}, 1, 1));
        assertThat(nll.getShape()).isEqualTo(new Shape(1, 1));
        assertThat(nll.getFloat(0, 0)).isCloseTo((float) expected, within(1e-5f));
        assertThat(expected).isCloseTo(1.9556, within(1e-3));
    }

    @Test
    void temperatureSharpensOrFlattensTheWeightsAndScalesSigmaByItsRoot() {
        MdnRnn.Mixture hot = WorldModelsLosses.withTemperature(twoComponents(), 2f);
        // π_k^(1/τ) renormalised: (√0.25, √0.75) / (√0.25 + √0.75)
        double z = Math.sqrt(0.25) + Math.sqrt(0.75);
        float[] pi = hot.logPi().exp().toFloatArray();
        assertThat(pi[0]).isCloseTo((float) (0.5 / z), within(1e-6f));
        assertThat(pi[1]).isCloseTo((float) (Math.sqrt(0.75) / z), within(1e-6f));
        float[] sigma = hot.logSigma().exp().toFloatArray();
        assertThat(sigma[0]).isCloseTo((float) Math.sqrt(2), within(1e-6f));
        assertThat(sigma[1]).isCloseTo((float) (0.5 * Math.sqrt(2)), within(1e-6f));
        assertThat(hot.mu().toFloatArray()).containsExactly(0f, 2f);
        MdnRnn.Mixture same = WorldModelsLosses.withTemperature(twoComponents(), 1f);
        assertThat(same.logPi().exp().toFloatArray()).containsExactly(new float[] {0.25f, 0.75f}, within(1e-6f));
        assertThat(same.logSigma().exp().toFloatArray()).containsExactly(new float[] {1f, 0.5f}, within(1e-6f));
    }

    @Test
    void samplingPicksTheComponentWhereTheUniformFallsInTheCumulativeWeights() {
        MdnRnn.Mixture mix = twoComponents();
        // cumulative weights (0.25, 1): u = 0.2 picks component 0, u = 0.3 component 1
        NDArray first = Dream.sample(mix, a(new float[] {0.2f}, 1, 1), a(new float[] {0.5f}, 1, 1));
        NDArray second = Dream.sample(mix, a(new float[] {0.3f}, 1, 1), a(new float[] {0.5f}, 1, 1));
        assertThat(first.getFloat(0, 0)).isCloseTo(0 + 1 * 0.5f, within(1e-6f));
        assertThat(second.getFloat(0, 0)).isCloseTo(2 + 0.5f * 0.5f, within(1e-6f));
    }

    @Test
    void binaryCrossEntropyOfLogits() {
        NDArray bce = WorldModelsLosses.bce(a(new float[] {0, 2, -30}, 3), a(new float[] {1, 0, 0}, 3));
        assertThat(bce.toFloatArray()).containsExactly(new float[] {(float) Math.log(2), (float) Math.log(1 + Math.exp(2)),
                (float) Math.log(1 + Math.exp(-30))}, within(1e-6f));
    }

    @Test
    void mdnLossAveragesOverZAndTheUnmaskedStepsOnly() {
        // nll [B=1, T=2, z=2]: step 0 averages (1, 3) = 2, step 1 (padding) would add 100
        NDArray nll = a(new float[] {1, 3, 100, 100}, 1, 2, 2);
        NDArray mask = a(new float[] {1, 0}, 1, 2);
        NDArray doneLogits = a(new float[] {0, 50}, 1, 2);
        NDArray done = a(new float[] {1, 0}, 1, 2);
        WorldModelsLosses.Loss loss = WorldModelsLosses.mdn(nll, doneLogits, done, mask, 1f);
        assertThat(loss.metrics().get("rnn/z_nll")).isCloseTo(2.0, within(1e-6));
        assertThat(loss.metrics().get("rnn/done_bce")).isCloseTo(Math.log(2), within(1e-6));
        assertThat(loss.total().getFloat()).isCloseTo((float) (2 + Math.log(2)), within(1e-5f));
    }

    @Test
    void theDoomControllersOutputIsThresholdedAtAThirdIntoStayLeftRight() {
        NDArray actions = Controller.thresholdActions(a(new float[] {-0.9f, -0.34f, -0.33f, 0f, 0.33f, 0.34f, 0.9f}, 7, 1));
        assertThat(actions.argMax(1).toLongArray()).containsExactly(1, 1, 0, 0, 0, 2, 2);
        assertThat(actions.sum(new int[] {1}).toFloatArray()).containsOnly(1f);
        // one output, no bias: the weights (1, 0) give tanh(x0); tanh(atanh(0.5)) = 0.5 is right, -0.5 left, 0.2 stay
        Controller c = new Controller(2, 0, 3, true, false, false, true);
        assertThat(c.dimension()).isEqualTo(2);
        Controller.Weights w = c.weights(m, new double[][] {{1, 0}});
        float half = (float) (0.5 * Math.log(3));   // atanh(0.5)
        float fifth = (float) (0.5 * Math.log(1.5)); // atanh(0.2)
        NDArray x = a(new float[] {half, 9, -half, 9, fifth, 9, 0, 0}, 1, 4, 2);
        assertThat(c.act(w, x).argMax(2).toLongArray()).containsExactly(2, 1, 0, 0);
        // the paper code's sizes: [z, c, h] of 64 + 512 + 512 into one output
        assertThat(new Controller(64 + 2 * 512, 0, 3, true, false, true, true).dimension()).isEqualTo(1088);
        assertThat(new Controller(64 + 512, 0, 3, true).dimension()).isEqualTo(576 * 3 + 3);
    }

    @Test
    void cReadsZThenTheCellStateThenTheHiddenState() {
        MdnRnn.State state = new MdnRnn.State(a(new float[] {3}, 1, 1), a(new float[] {2}, 1, 1));
        NDArray z = a(new float[] {1}, 1, 1);
        assertThat(new Controller(3, 0, 3, true, false, true, false).input(z, state).toFloatArray())
                .containsExactly(1, 2, 3);
        assertThat(new Controller(2, 0, 3, true).input(z, state).toFloatArray()).containsExactly(1, 3);
    }

    @Test
    void theEndLossWeightsTheEndingStepsAndDividesByTheNumberOfSteps() {
        // logits (0, 2, 5) against ends (1, 0, 1), the third step padding: (10 ln 2 + ln(1 + e^2)) / 2
        NDArray nll = a(new float[] {0, 0, 0}, 1, 3, 1);
        NDArray doneLogits = a(new float[] {0, 2, 5}, 1, 3);
        NDArray done = a(new float[] {1, 0, 1}, 1, 3);
        NDArray mask = a(new float[] {1, 1, 0}, 1, 3);
        double want = (10 * Math.log(2) + Math.log(1 + Math.exp(2))) / 2;
        assertThat(WorldModelsLosses.mdn(nll, doneLogits, done, mask, 10f).metrics().get("rnn/done_bce"))
                .isCloseTo(want, within(1e-5));
        assertThat(WorldModelsLosses.mdn(nll, doneLogits, done, mask, 1f).metrics().get("rnn/done_bce"))
                .isCloseTo((Math.log(2) + Math.log(1 + Math.exp(2))) / 2, within(1e-5));
    }
}
