package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.GradientScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HarmoniousLossTest {
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
    void gradientOnTheLogScales() {
        // d/ds [L e^{-s} + ln(1 + e^s)] = -L e^{-s} + σ/(1+σ), σ = e^s.
        // Term 0: L = 2, s = 0 (σ = 1):      -2 + 1/2         = -1.5
        // Term 1: L = 0.5, s = ln 2 (σ = 2): -0.5/2 + 2/3      = 0.416667
        // Value: 2 + ln 2 + 0.25 + ln 3 = 2 + 0.693147 + 0.25 + 1.098612 = 4.041759
        HarmoniousLoss h = new HarmoniousLoss(2);
        h.initialize(m);
        NDArray s = h.logScales().getArray();
        s.set(new float[] {0f, (float) Math.log(2)});
        ParameterStore store = new ParameterStore(m, false);
        NDArray l0 = m.create(2f);
        NDArray l1 = m.create(0.5f);
        try (GradientScope tape = GradientScope.open()) {
            NDArray total = h.combine(store, new NDList(l0, l1));
            assertThat(total.getFloat()).isCloseTo(4.041759f, within(1e-5f));
            tape.backward(total);
        }
        float[] g = s.getGradient().toFloatArray();
        assertThat(g[0]).isCloseTo(-1.5f, within(1e-6f));
        assertThat(g[1]).isCloseTo(0.416667f, within(1e-6f));
    }

    @Test
    void weightedRegularizers() {
        // c = (1, 0.5): 2 + ln 2 + 0.25 + 0.5 ln 3 = 3.492453; ∂/∂s_1 = -0.25 + 0.5 · 2/3 = 0.083333
        HarmoniousLoss h = HarmoniousLoss.withRegularizerWeights(1f, 0.5f);
        h.initialize(m);
        NDArray s = h.logScales().getArray();
        s.set(new float[] {0f, (float) Math.log(2)});
        try (GradientScope tape = GradientScope.open()) {
            NDArray total = h.combine(new ParameterStore(m, false), new NDList(m.create(2f), m.create(0.5f)));
            assertThat(total.getFloat()).isCloseTo(3.492453f, within(1e-5f));
            tape.backward(total);
        }
        float[] g = s.getGradient().toFloatArray();
        assertThat(g[0]).isCloseTo(-1.5f, within(1e-6f));
        assertThat(g[1]).isCloseTo(0.083333f, within(1e-6f));
    }

    @Test
    void lossTermsGetGradientOneOverSigma() {
        // d/dL_i = e^{-s_i} = 1/σ_i: 1 at s = 0
        HarmoniousLoss h = new HarmoniousLoss(3);
        h.initialize(m);
        NDArray losses = m.create(new float[] {1f, 2f, 3f});
        losses.setRequiresGradient(true);
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(h.combine(new ParameterStore(m, false), new NDList(losses)));
        }
        assertThat(losses.getGradient().toFloatArray()).containsExactly(1f, 1f, 1f);
    }
}
