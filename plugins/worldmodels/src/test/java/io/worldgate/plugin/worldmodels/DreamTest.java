package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.NoGradient;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The population's dream episodes run as one batch of {@code P x R} rows; played candidate by
 * candidate with the same rollout seeds, each candidate's episodes are the same.
 */
class DreamTest {
    static final int Z = 4;
    static final int H = 8;
    static final int ACTIONS = 3;

    @Test
    void theBatchedDreamGivesEachCandidateTheReturnsItGetsAlone() {
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            MdnRnn rnn = new MdnRnn(Z, ACTIONS, H, 2, true);
            rnn.initializeParts(m);
            // an end probability of about 8% a step, so episodes last a dozen steps or so and differ
            NDArray bias = rnn.getParameters().stream().filter(e -> e.getKey().endsWith("mdn_bias")).findFirst()
                    .orElseThrow().getValue().getArray();
            bias.set(new NDIndex("-1"), -2.5f);
            ParameterStore ps = new ParameterStore(m, false);
            // argmax on [z, h], a hidden layer and tanh on [z, h], the paper code's Doom C on [z, c, h]
            Controller[] controllers = {new Controller(Z + H, 0, ACTIONS, true), new Controller(Z + H, 5, ACTIONS, false),
                new Controller(Z + 2 * H, 0, ACTIONS, true, false, true, true)};
            for (Controller c : controllers) {
                SplittableRandom rng = new SplittableRandom(7);
                double[][] params = new double[6][c.dimension()];
                for (double[] p : params) {
                    for (int i = 0; i < p.length; i++) {
                        p[i] = 2 * Dream.gaussian(rng);
                    }
                }
                long[] seeds = {11, 12, 13, 14};
                float[] mu = new float[3 * Z];
                float[] logVar = new float[3 * Z];
                for (int i = 0; i < mu.length; i++) {
                    mu[i] = (float) Dream.gaussian(rng);
                    logVar[i] = -1f;
                }
                DreamStarts starts = new DreamStarts(Z, mu, logVar);
                Dream dream = new Dream(rnn, ps, c, 1.15f, 60, Dream.End.SAMPLE);

                double[][] batched = dream.returns(m, params, seeds, starts);
                assertThat(batched).hasDimensions(6, 4);
                for (int k = 0; k < params.length; k++) {
                    double[] alone = dream.returns(m, new double[][] {params[k]}, seeds, starts)[0];
                    assertThat(batched[k]).as("candidate %d, %s", k, c)
                            .containsExactly(alone, within(1e-5));
                }
                double[] all = Arrays.stream(batched).flatMapToDouble(Arrays::stream).toArray();
                assertThat(Arrays.stream(all).distinct().count()).as("returns %s", Arrays.toString(all)).isGreaterThan(2);
                assertThat(Arrays.stream(all).min().orElseThrow()).isGreaterThanOrEqualTo(1.0);
                assertThat(Arrays.stream(all).max().orElseThrow()).isLessThanOrEqualTo(60.0);
                // the same seeds give the same dream again
                assertThat(dream.returns(m, params, seeds, starts)).isDeepEqualTo(batched);
            }
        }
    }

    /**
     * With zero gate weights M's LSTM ignores its inputs: from a zero state, with gate biases 0
     * (input and output gates 1/2, forget gate sigmoid(1)) and a candidate bias of 1, the cell after
     * {@code t} steps is {@code c_t = f c_(t-1) + tanh(1) / 2} and {@code h_t = tanh(c_t) / 2} in every
     * unit. An end logit {@code h_t - b} with {@code b} between {@code h_5} and {@code h_6} crosses 0 at
     * the sixth step: the threshold rule ends every dream there (the ending step scores), whatever
     * the controller and the draws.
     */
    @Test
    void theThresholdRuleEndsEveryDreamAtTheStepWhoseEndLogitCrossesZero() {
        double f = 1 / (1 + Math.exp(-1));
        double[] h = new double[8];
        double cell = 0;
        for (int t = 1; t < h.length; t++) {
            cell = f * cell + Math.tanh(1) / 2;
            h[t] = Math.tanh(cell) / 2;
        }
        assertThat(h[6] - h[5]).as("a gap float32 resolves").isGreaterThan(0.01);
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            MdnRnn rnn = new MdnRnn(Z, ACTIONS, H, 2, true);
            rnn.initializeParts(m);
            parameter(rnn, "gates_weight").muli(0);
            NDArray gateBias = parameter(rnn, "gates_bias");
            gateBias.muli(0);
            gateBias.set(new NDIndex("{}:{}", 2 * H, 3 * H), 1f);
            NDArray head = parameter(rnn, "mdn_weight");
            head.set(new NDIndex("-1, :"), 0f);
            head.set(new NDIndex("-1, 0"), 1f);
            NDArray headBias = parameter(rnn, "mdn_bias");
            headBias.set(new NDIndex("-1"), (float) -(h[5] + h[6]) / 2);
            ParameterStore ps = new ParameterStore(m, false);
            Controller c = new Controller(Z + H, 0, ACTIONS, true);
            SplittableRandom rng = new SplittableRandom(3);
            double[][] params = new double[5][c.dimension()];
            for (double[] p : params) {
                for (int i = 0; i < p.length; i++) {
                    p[i] = Dream.gaussian(rng);
                }
            }
            long[] seeds = {21, 22, 23};
            DreamStarts starts = new DreamStarts(Z, new float[Z], new float[Z]);

            double[][] threshold = new Dream(rnn, ps, c, 1.15f, 60, Dream.End.THRESHOLD).returns(m, params, seeds, starts);
            for (double[] each : threshold) {
                assertThat(each).containsOnly(6.0);
            }
            // drawn instead, the same ends are random events (p about 1/2 from the first step on)
            double[] sampled = Arrays.stream(new Dream(rnn, ps, c, 1.15f, 60, Dream.End.SAMPLE).returns(m, params, seeds, starts))
                    .flatMapToDouble(Arrays::stream).toArray();
            assertThat(Arrays.stream(sampled).distinct().count()).as(Arrays.toString(sampled)).isGreaterThan(1);
            // a logit that stays below 0 never ends a dream: every episode runs to the limit
            headBias.set(new NDIndex("-1"), -1f);
            double[][] endless = new Dream(rnn, ps, c, 1.15f, 60, Dream.End.THRESHOLD).returns(m, params, seeds, starts);
            for (double[] each : endless) {
                assertThat(each).containsOnly(60.0);
            }
        }
    }

    private static NDArray parameter(MdnRnn rnn, String suffix) {
        return rnn.getParameters().stream().filter(e -> e.getKey().endsWith(suffix)).findFirst().orElseThrow()
                .getValue().getArray();
    }
}
