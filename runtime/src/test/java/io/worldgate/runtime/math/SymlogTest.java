package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.Grad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SymlogTest {
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
    void knownValues() {
        // symlog(e - 1) = ln(e) = 1; symlog(-(e^2 - 1)) = -2; symlog(0) = 0
        float e1 = (float) (Math.E - 1);
        float e2 = (float) (Math.E * Math.E - 1);
        float[] y = Symlog.symlog(m.create(new float[] {e1, -e2, 0f})).toFloatArray();
        assertThat(y[0]).isCloseTo(1f, within(1e-6f));
        assertThat(y[1]).isCloseTo(-2f, within(1e-6f));
        assertThat(y[2]).isEqualTo(0f);
    }

    @Test
    void roundTrip() {
        float[] x = {-1000f, -3.5f, -1e-3f, 0f, 1e-3f, 0.5f, 7f, 12345f};
        NDArray back = Symlog.symexp(Symlog.symlog(m.create(x)));
        float[] b = back.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertThat(b[i]).isCloseTo(x[i], within(Math.abs(x[i]) * 1e-5f + 1e-7f));
        }
        assertThat(Symlog.symexp(Symlog.symlog(-42.0))).isCloseTo(-42.0, within(1e-12));
    }

    @Test
    void derivativeAtZeroIsOne() {
        // d/dx sign(x) ln(1 + |x|) = 1 / (1 + |x|): 1 at 0, 1/4 at 3 and at -3
        float[] g = Grad.of(m, Symlog::symlog, 0f, 3f, -3f);
        assertThat(g[0]).isCloseTo(1f, within(1e-6f));
        assertThat(g[1]).isCloseTo(0.25f, within(1e-6f));
        assertThat(g[2]).isCloseTo(0.25f, within(1e-6f));
        // d/dy sign(y)(exp|y| - 1) = exp(|y|): 1 at 0, e at ±1
        float[] h = Grad.of(m, Symlog::symexp, 0f, 1f, -1f);
        assertThat(h[0]).isCloseTo(1f, within(1e-6f));
        assertThat(h[1]).isCloseTo((float) Math.E, within(1e-5f));
        assertThat(h[2]).isCloseTo((float) Math.E, within(1e-5f));
    }
}
