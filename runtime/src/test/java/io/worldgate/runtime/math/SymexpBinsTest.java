package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.dist.SymexpTwoHot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bins at symexp of evenly spaced points with the two-hot code in real space. The hand-derived
 * case: 5 bins with limit 2 sit at symexp(-2, -1, 0, 1, 2) = -(e^2 - 1), -(e - 1), 0, e - 1, e^2 - 1
 * = -6.389056, -1.718282, 0, 1.718282, 6.389056.
 */
class SymexpBinsTest {
    static final float E1 = (float) Math.expm1(1);
    static final float E2 = (float) Math.expm1(2);
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
    void binsAreSymexpOfEvenlySpacedPointsExactlyAntisymmetric() {
        SymexpBins five = new SymexpBins(5, 2f);
        assertThat(five.centers(m).toFloatArray()).containsExactly(-E2, -E1, 0f, E1, E2);
        SymexpBins d = SymexpBins.dreamerV3();
        assertThat(d.count()).isEqualTo(255);
        assertThat(d.center(0)).isEqualTo((float) -Math.expm1(20));
        assertThat(d.center(127)).isEqualTo(0f);
        // bin 128 is symexp(40 / 254) = e^0.15748 - 1
        assertThat(d.center(128)).isCloseTo(0.1705577f, within(1e-6f));
        for (int i = 0; i < 255; i++) {
            assertThat(d.center(254 - i)).isEqualTo(-d.center(i));
        }
    }

    @Test
    void encodesBetweenTheTwoNeighboursInRealSpace() {
        SymexpBins bins = new SymexpBins(5, 2f);
        float[] code = bins.encode(m.create(new float[] {1f, -3f, 0f, 100f, -100f, E1})).toFloatArray();
        // x = 1 between 0 and e - 1: w = 1 / (e - 1) = 0.5819767 on bin 3, 1 - w = 0.4180233 on bin 2
        // (symlog-space interpolation would give 0.693147 and 0.306853: symlog(1) = ln 2)
        assertThat(row(code, 0)).containsExactly(new float[] {0f, 0f, 0.4180233f, 0.5819767f, 0f}, within(1e-6f));
        // x = -3 between -(e^2 - 1) and -(e - 1): w = (-3 + 6.389056) / 4.670774 = 0.7255876 on bin 1
        assertThat(row(code, 1)).containsExactly(new float[] {0.2744124f, 0.7255876f, 0f, 0f, 0f}, within(1e-6f));
        // on a bin, and beyond the outer bins: all weight on one bin
        assertThat(row(code, 2)).containsExactly(new float[] {0f, 0f, 1f, 0f, 0f}, within(1e-6f));
        assertThat(row(code, 3)).containsExactly(new float[] {0f, 0f, 0f, 0f, 1f}, within(1e-6f));
        assertThat(row(code, 4)).containsExactly(new float[] {1f, 0f, 0f, 0f, 0f}, within(1e-6f));
        assertThat(row(code, 5)).containsExactly(new float[] {0f, 0f, 0f, 1f, 0f}, within(1e-6f));
    }

    @Test
    void decodesTheRealSpaceMean() {
        SymexpBins bins = new SymexpBins(5, 2f);
        // Σ p_i b_i = (0.15 - 0.1)(e^2 - 1) + (0.25 - 0.2)(e - 1) = 0.4053669
        NDArray p = m.create(new float[] {0.1f, 0.2f, 0.3f, 0.25f, 0.15f}, new Shape(1, 5));
        assertThat(bins.decode(p).toFloatArray()[0]).isCloseTo(0.4053669f, within(1e-6f));
        // encoding then decoding gives the values back, also on DreamerV3's 255 bins
        float[] xs = {1f, -3f, 0f, 5f};
        float[] back = bins.decode(bins.encode(m.create(xs))).toFloatArray();
        assertThat(back).containsExactly(xs, within(1e-5f));
        SymexpBins d = SymexpBins.dreamerV3();
        float[] wide = {-1234.5f, -3f, -0.01f, 0f, 0.7f, 42f, 1e6f};
        float[] decoded = d.decode(d.encode(m.create(wide))).toFloatArray();
        for (int i = 0; i < wide.length; i++) {
            assertThat(decoded[i]).isCloseTo(wide[i], within(Math.abs(wide[i]) * 1e-5f + 1e-6f));
        }
    }

    @Test
    void aUniformDistributionStandsForExactlyZero() {
        // outer bins of ±4.85e8: a left-to-right float sum of p_i b_i would not cancel exactly
        SymexpBins d = SymexpBins.dreamerV3();
        NDArray uniform = m.ones(new Shape(3, 255)).div(255f);
        assertThat(d.decode(uniform).toFloatArray()).containsExactly(0f, 0f, 0f);
        SymexpBins even = new SymexpBins(6, 20f);
        assertThat(even.decode(m.ones(new Shape(1, 6)).div(6f)).toFloatArray()).containsExactly(0f);
    }

    @Test
    void theTwoHotDistributionUsesTheCodeForLossAndMean() {
        SymexpBins bins = new SymexpBins(5, 2f);
        float[] logits = {0.3f, -1f, 0.5f, 2f, 0f};
        SymexpTwoHot dist = new SymexpTwoHot(m.create(logits, new Shape(1, 5)), bins);
        float[] logp = m.create(logits).logSoftmax(0).toFloatArray();
        float expected = 0.4180233f * logp[2] + 0.5819767f * logp[3];
        assertThat(dist.logProb(m.create(new float[] {1f})).toFloatArray()[0]).isCloseTo(expected, within(1e-5f));
        float[] p = m.create(logits).softmax(0).toFloatArray();
        float mean = (p[4] - p[0]) * E2 + (p[3] - p[1]) * E1;
        assertThat(dist.mean().toFloatArray()[0]).isCloseTo(mean, within(1e-5f));
    }

    private static float[] row(float[] flat, int i) {
        float[] r = new float[5];
        System.arraycopy(flat, 5 * i, r, 0, 5);
        return r;
    }
}
