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
            for (boolean discrete : new boolean[] {true, false}) {
                Controller c = new Controller(Z + H, discrete ? 0 : 5, discrete ? ACTIONS : ACTIONS, discrete);
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
                Dream dream = new Dream(rnn, ps, c, 1.15f, 60);

                double[][] batched = dream.returns(m, params, seeds, starts);
                assertThat(batched).hasDimensions(6, 4);
                for (int k = 0; k < params.length; k++) {
                    double[] alone = dream.returns(m, new double[][] {params[k]}, seeds, starts)[0];
                    assertThat(batched[k]).as("candidate %d, discrete %s", k, discrete)
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
}
