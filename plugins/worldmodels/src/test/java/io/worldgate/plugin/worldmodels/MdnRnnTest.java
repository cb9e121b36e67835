package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * M's unroll with its state carried from window to window ({@code rnn_state=carry}) computes what
 * one long unroll over the same steps does, and its reset mask starts an episode from the zero state.
 */
class MdnRnnTest {
    static final int Z = 3;
    static final int ACTIONS = 2;
    static final int H = 5;
    static final int B = 3;
    static final int T = 20;

    static float[] gaussians(int n, SplittableRandom rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) Dream.gaussian(rng);
        }
        return out;
    }

    /** Every prediction of an unroll, flattened step by step: log weights, means, log sigmas, end logit. */
    static List<float[]> outputs(MdnRnn.Unrolled u) {
        List<float[]> out = new ArrayList<>();
        for (MdnRnn.Mixture m : u.mixtures()) {
            out.add(m.logPi().concat(m.mu(), 2).concat(m.logSigma(), 2).reshape(B, -1)
                    .concat(m.doneLogit().reshape(B, 1), 1).toFloatArray());
        }
        return out;
    }

    /** The columns {@code [from, to)} of a row-major {@code [B, T]} mask. */
    static float[] columns(float[] mask, int from, int to) {
        float[] out = new float[B * (to - from)];
        for (int b = 0; b < B; b++) {
            System.arraycopy(mask, b * T + from, out, b * (to - from), to - from);
        }
        return out;
    }

    @Test
    void windowsWhoseStateIsCarriedComputeWhatOneLongUnrollDoes() {
        SplittableRandom rng = new SplittableRandom(11);
        float[] reset = new float[B * T];
        reset[0] = 1f;
        reset[T + 9] = 1f; // row 1: an episode begins at step 9, inside the second window
        reset[2 * T + 14] = 1f; // row 2: at step 14, the third window's first step
        try (NDManager m = NDManager.newBaseManager()) {
            MdnRnn rnn = new MdnRnn(Z, ACTIONS, H, 2, true);
            NDArray z;
            NDArray a;
            try (NoGradient off = NoGradient.open()) {
                rnn.initializeParts(m);
                z = m.create(gaussians(B * T * Z, rng), new Shape(B, T, Z));
                a = m.create(gaussians(B * T * ACTIONS, rng), new Shape(B, T, ACTIONS));
            }
            ParameterStore ps = new ParameterStore(m, false);
            MdnRnn.Unrolled whole;
            List<float[]> expected;
            try (NoGradient off = NoGradient.open()) {
                whole = rnn.unroll(ps, z, a, reset, rnn.initial(m, B), false);
                expected = outputs(whole);
            }
            // windows of 7, 7 and 6 steps, as training runs them: each in its own scope and gradient
            // tape, a backward pass through each (a state that kept its graph would fail the second)
            List<float[]> chunked = new ArrayList<>();
            float[] lastH;
            float[] lastC;
            try (CarriedState carried = new CarriedState(m)) {
                int[] bounds = {0, 7, 14, T};
                for (int k = 0; k + 1 < bounds.length; k++) {
                    try (UpdateScope u = UpdateScope.open(m); GradientScope tape = GradientScope.open()) {
                        String cols = ":, " + bounds[k] + ":" + bounds[k + 1];
                        MdnRnn.Unrolled part = rnn.unroll(ps, z.get(cols), a.get(cols),
                                columns(reset, bounds[k], bounds[k + 1]), carried.take(rnn, u.manager(), B), true);
                        chunked.addAll(outputs(part));
                        NDArray loss = part.mixtures().get(part.mixtures().size() - 1).mu().sum();
                        tape.backward(loss);
                        carried.keep(part.last());
                    }
                }
                try (UpdateScope u = UpdateScope.open(m)) {
                    MdnRnn.State last = carried.take(rnn, u.manager(), B);
                    lastH = last.h().toFloatArray();
                    lastC = last.c().toFloatArray();
                }
            }
            assertThat(chunked).hasSize(T);
            for (int t = 0; t < T; t++) {
                assertThat(chunked.get(t)).as("step %d", t).containsExactly(expected.get(t), within(1e-5f));
            }
            assertThat(lastH).containsExactly(whole.last().h().toFloatArray(), within(1e-5f));
            assertThat(lastC).containsExactly(whole.last().c().toFloatArray(), within(1e-5f));

            // from window to window, not from zero: without the carried state the second window differs
            try (NoGradient off = NoGradient.open()) {
                MdnRnn.Unrolled fresh = rnn.unroll(ps, z.get(":, 7:14"), a.get(":, 7:14"), columns(reset, 7, 14),
                        rnn.initial(m, B), false);
                float[] first = outputs(fresh).get(0);
                float max = 0;
                for (int i = 0; i < first.length; i++) {
                    max = Math.max(max, Math.abs(first[i] - expected.get(7)[i]));
                }
                assertThat(max).as("a zero state mid-episode changes the prediction").isGreaterThan(1e-3f);
            }
        }
    }

    @Test
    void aResetStartsTheRowAfreshWhateverItsStateWasAndLeavesTheOtherRows() {
        SplittableRandom rng = new SplittableRandom(12);
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            MdnRnn rnn = new MdnRnn(Z, ACTIONS, H, 2, true);
            rnn.initializeParts(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = m.create(gaussians(B * T * Z, rng), new Shape(B, T, Z));
            NDArray a = m.create(gaussians(B * T * ACTIONS, rng), new Shape(B, T, ACTIONS));
            MdnRnn.State someState = new MdnRnn.State(m.create(gaussians(B * H, rng), new Shape(B, H)),
                    m.create(gaussians(B * H, rng), new Shape(B, H)));
            float[] reset = new float[B * T];
            reset[6] = 1f; // row 0: an episode begins at step 6
            List<float[]> withReset = outputs(rnn.unroll(ps, z, a, reset, someState, false));
            List<float[]> without = outputs(rnn.unroll(ps, z, a, null, someState, false));
            List<float[]> fromZero = outputs(rnn.unroll(ps, z.get(":, 6:"), a.get(":, 6:"), null, rnn.initial(m, B), false));
            int perRow = withReset.get(0).length / B;
            for (int t = 0; t < T; t++) {
                for (int b = 0; b < B; b++) {
                    float[] got = slice(withReset.get(t), b, perRow);
                    if (b == 0 && t >= 6) {
                        assertThat(got).as("row 0, step %d", t).containsExactly(slice(fromZero.get(t - 6), 0, perRow),
                                within(1e-5f));
                    } else {
                        assertThat(got).as("row %d, step %d", b, t).containsExactly(slice(without.get(t), b, perRow),
                                within(1e-6f));
                    }
                }
            }
        }
    }

    /**
     * With zero gate weights M's LSTM ignores its inputs (see {@code DreamTest}): from a zero state the
     * cell after {@code n} steps is {@code c_n = f c_(n-1) + tanh(1) / 2}, {@code f = sigmoid(1)}. The end
     * logit reads the first unit of h, {@code tanh(c_n) / 2}. Row 0 resets at step 4 of 7: its steps
     * 4, 5, 6 give {@code h_1, h_2, h_3} again, and its final cell is {@code c_3}; row 1 runs on to {@code c_7}.
     */
    @Test
    void theResetMaskZeroesTheStateAtTheBoundaryHandComputed() {
        double f = 1 / (1 + Math.exp(-1));
        double[] c = new double[8];
        for (int n = 1; n < c.length; n++) {
            c[n] = f * c[n - 1] + Math.tanh(1) / 2;
        }
        int steps = 7;
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
            parameter(rnn, "mdn_bias").set(new NDIndex("-1"), 0f);
            ParameterStore ps = new ParameterStore(m, false);
            SplittableRandom rng = new SplittableRandom(1);
            NDArray z = m.create(gaussians(2 * steps * Z, rng), new Shape(2, steps, Z));
            NDArray a = m.create(gaussians(2 * steps * ACTIONS, rng), new Shape(2, steps, ACTIONS));
            float[] reset = new float[2 * steps];
            reset[4] = 1f;
            MdnRnn.Unrolled u = rnn.unroll(ps, z, a, reset, rnn.initial(m, 2), false);
            int[] row0 = {1, 2, 3, 4, 1, 2, 3};
            for (int t = 0; t < steps; t++) {
                float[] logit = u.mixtures().get(t).doneLogit().toFloatArray();
                assertThat(logit[0]).as("row 0, step %d", t).isCloseTo((float) (Math.tanh(c[row0[t]]) / 2), within(1e-6f));
                assertThat(logit[1]).as("row 1, step %d", t).isCloseTo((float) (Math.tanh(c[t + 1]) / 2), within(1e-6f));
            }
            float[] cell = u.last().c().toFloatArray();
            for (int j = 0; j < H; j++) {
                assertThat(cell[j]).isCloseTo((float) c[3], within(1e-6f));
                assertThat(cell[H + j]).isCloseTo((float) c[7], within(1e-6f));
            }
        }
    }

    private static float[] slice(float[] all, int row, int perRow) {
        float[] out = new float[perRow];
        System.arraycopy(all, row * perRow, out, 0, perRow);
        return out;
    }

    private static NDArray parameter(MdnRnn rnn, String suffix) {
        return rnn.getParameters().stream().filter(e -> e.getKey().endsWith(suffix)).findFirst().orElseThrow()
                .getValue().getArray();
    }
}
