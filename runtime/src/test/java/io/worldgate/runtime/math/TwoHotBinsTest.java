package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TwoHotBinsTest {
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
    void paperConfigurations() {
        TwoHotBins d = TwoHotBins.dreamerV3();
        assertThat(d.count()).isEqualTo(255);
        // 40 / 254 between neighbours; centre 127 is 0
        assertThat(d.width()).isCloseTo(40f / 254f, within(1e-7f));
        assertThat(d.center(127)).isCloseTo(0f, within(1e-5f));
        float[] c = d.centers(m).toFloatArray();
        assertThat(c[0]).isEqualTo(-20f);
        assertThat(c[254]).isEqualTo(20f);
        TwoHotBins t = TwoHotBins.tdmpc2();
        assertThat(t.count()).isEqualTo(101);
        assertThat(t.width()).isCloseTo(0.2f, within(1e-7f));
    }

    @Test
    void encodeBetweenBinsInSymlogSpace() {
        // 5 bins on [-2, 2]: centres -2, -1, 0, 1, 2 (width 1). y = 0.25 lies between bin 2 (0) and
        // bin 3 (1): weight 1 - 0.25 = 0.75 on bin 2 and 0.25 on bin 3; 0.75*0 + 0.25*1 = 0.25.
        TwoHotBins bins = new TwoHotBins(5, -2f, 2f);
        float[] code = bins.encodeSymlog(m.create(new float[] {0.25f})).toFloatArray();
        assertThat(code).containsExactly(0f, 0f, 0.75f, 0.25f, 0f);
        assertThat(code[2] + code[3]).isEqualTo(1f);
        NDArray back = bins.expectSymlog(m.create(code, new ai.djl.ndarray.types.Shape(1, 5)));
        assertThat(back.toFloatArray()[0]).isEqualTo(0.25f);
    }

    @Test
    void encodeDecodeRealValues() {
        // x = e^0.25 - 1 = 0.2840254166877414 has symlog(x) = 0.25: same code as above, and
        // decode = symexp(0.25) gives x back (up to float rounding of ln/exp)
        TwoHotBins bins = new TwoHotBins(5, -2f, 2f);
        float x = 0.2840254166877414f;
        NDArray code = bins.encode(m.create(new float[] {x}));
        float[] w = code.toFloatArray();
        assertThat(w[2]).isCloseTo(0.75f, within(1e-6f));
        assertThat(w[3]).isCloseTo(0.25f, within(1e-6f));
        assertThat(bins.decode(code).toFloatArray()[0]).isCloseTo(x, within(1e-6f));

        // on DreamerV3's bins, many values round-trip, including negatives and exact bin centres
        TwoHotBins d = TwoHotBins.dreamerV3();
        float[] xs = {-1234.5f, -3f, -0.01f, 0f, 0.7f, 42f, 1e6f};
        float[] decoded = d.decode(d.encode(m.create(xs))).toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            assertThat(decoded[i]).isCloseTo(xs[i], within(Math.abs(xs[i]) * 2e-5f + 1e-6f));
        }
        float[] sums = d.encode(m.create(xs)).sum(new int[] {-1}).toFloatArray();
        for (float s : sums) {
            assertThat(s).isCloseTo(1f, within(1e-6f));
        }
    }

    @Test
    void clipsOutsideTheRange() {
        // symlog(1e30) ≈ 69 > 2: all weight on the last bin; symlog(-1e30) < -2: on the first
        TwoHotBins bins = new TwoHotBins(5, -2f, 2f);
        float[] code = bins.encode(m.create(new float[] {1e30f, -1e30f}, new ai.djl.ndarray.types.Shape(2))).toFloatArray();
        assertThat(code).containsExactly(0f, 0f, 0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f);
    }
}
