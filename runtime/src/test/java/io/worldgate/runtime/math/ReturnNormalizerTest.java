package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReturnNormalizerTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    /** 0, 1, ..., 100 times {@code k}: with linear interpolation P5 = 5k, P95 = 95k. */
    private static NDArray ramp(float k) {
        return m.arange(0f, 101f).mul(k).reshape(101);
    }

    @Test
    void paperSettingsWithoutDebias() {
        ReturnNormalizer n = ReturnNormalizer.dreamerV3();
        n.update(ramp(1f));
        // L = 0.99*0 + 0.01*5 = 0.05, H = 0.01*95 = 0.95; S = max(1, 0.9) = 1
        assertThat(n.low()).isCloseTo(0.05, within(1e-6));
        assertThat(n.high()).isCloseTo(0.95, within(1e-6));
        assertThat(n.scale()).isEqualTo(1.0);
        n.update(ramp(2f));
        // L = 0.99*0.05 + 0.01*10 = 0.1495; H = 0.99*0.95 + 0.01*190 = 2.8405; S = 2.691
        assertThat(n.low()).isCloseTo(0.1495, within(1e-6));
        assertThat(n.high()).isCloseTo(2.8405, within(1e-5));
        assertThat(n.scale()).isCloseTo(2.691, within(1e-5));
        assertThat(n.normalize(m.create(new float[] {2.691f})).toFloatArray()[0]).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void debiasedAverages() {
        ReturnNormalizer n = new ReturnNormalizer(0.99f, 5f, 95f, 1f, true);
        n.update(ramp(1f));
        // one update: divided by 1 - 0.99 = 0.01 -> exactly P5 = 5, P95 = 95, S = 90
        assertThat(n.low()).isCloseTo(5.0, within(1e-4));
        assertThat(n.high()).isCloseTo(95.0, within(1e-4));
        assertThat(n.scale()).isCloseTo(90.0, within(1e-4));
        n.update(ramp(2f));
        // weights 0.0099 (first) and 0.01 (second) over 0.0199:
        // L = (0.0495 + 0.1) / 0.0199 = 7.51256, H = (0.9405 + 1.9) / 0.0199 = 142.73869
        assertThat(n.low()).isCloseTo(7.51256, within(1e-4));
        assertThat(n.high()).isCloseTo(142.73869, within(1e-3));
        double[] state = n.state();
        ReturnNormalizer copy = new ReturnNormalizer(0.99f, 5f, 95f, 1f, true);
        copy.restore(state);
        assertThat(copy.scale()).isEqualTo(n.scale());
    }

    @Test
    void smallReturnsAreNotScaledUp() {
        ReturnNormalizer n = new ReturnNormalizer(0f, 5f, 95f, 1f, false);
        n.update(ramp(0.001f));
        // decay 0: L = 0.005, H = 0.095; range 0.09 < 1 -> S = 1
        assertThat(n.scale()).isEqualTo(1.0);
    }

    @Test
    void onlyValidRowsCount() {
        ReturnNormalizer n = new ReturnNormalizer(0f, 5f, 95f, 1f, false);
        // row 0 is the ramp 0..100 (P5 = 5, P95 = 95); row 1 starts from padding and holds 1000s
        NDArray returns = NDArrays.stack(new NDList(ramp(1f), m.full(new Shape(101), 1000f)));
        n.update(returns, m.create(new float[] {1f, 0f}));
        assertThat(n.low()).isCloseTo(5.0, within(1e-4));
        assertThat(n.high()).isCloseTo(95.0, within(1e-4));
        assertThat(n.updates()).isEqualTo(1);
        // counted whole, the 1000s would move the high percentile to 1000
        ReturnNormalizer all = new ReturnNormalizer(0f, 5f, 95f, 1f, false);
        all.update(returns);
        assertThat(all.high()).isCloseTo(1000.0, within(1e-3));
    }

    @Test
    void noValidRowLeavesTheAveragesAlone() {
        ReturnNormalizer n = ReturnNormalizer.dreamerV3();
        n.update(ramp(1f));
        double[] before = n.state();
        n.update(NDArrays.stack(new NDList(ramp(3f), ramp(4f))), m.zeros(new Shape(2)));
        assertThat(n.state()).containsExactly(before);
    }
}
