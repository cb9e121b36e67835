package io.worldgate.runtime.nn.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FusedActivationsTest {
    /** Enough elements for the fused path: a whole number of the three probe points below. */
    private static final int N = 3 * 8192;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void theModuleLoadsOnThePyTorchEngine() {
        assertThat(FusedActivations.available()).isTrue();
    }

    /**
     * silu(x) = x σ(x) and silu'(x) = σ(x) (1 + x (1 - σ(x))), by hand at x = 0, 1, -2:
     * σ(1) = 0.7310586, σ(-2) = 0.1192029.
     */
    @Test
    void valuesAndGradientsAreTheHandDerivedOnes() {
        float[] probe = {0f, 1f, -2f};
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = probe[i % 3];
        }
        NDArray in = manager.create(x);
        in.setRequiresGradient(true);
        float[] y;
        try (GradientScope tape = GradientScope.open()) {
            NDArray out = FusedActivations.silu(in);
            assertThat(out).as("the fused path is taken at %d elements", N).isNotNull();
            y = out.toFloatArray();
            tape.backward(out.sum());
        }
        float[] g = in.getGradient().toFloatArray();
        float[] expectedY = {0f, 0.7310586f, -0.2384058f};
        float[] expectedG = {0.5f, 0.9276705f, -0.0907842f};
        for (int i = 0; i < 6; i++) {
            assertThat(y[i]).as("silu(%s)", probe[i % 3]).isCloseTo(expectedY[i % 3], within(1e-6f));
            assertThat(g[i]).as("silu'(%s)", probe[i % 3]).isCloseTo(expectedG[i % 3], within(1e-6f));
        }
        assertThat(y[N - 1]).isCloseTo(expectedY[2], within(1e-6f));
    }

    @Test
    void matchesTheComposedFormOnAConvolutionsActivations() {
        NDArray x = manager.randomNormal(0f, 3f, new Shape(8, 16, 16, 16), ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray a = x.duplicate();
        NDArray b = x.duplicate();
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray weights = manager.randomUniform(-1f, 1f, x.getShape());
        NDArray fused;
        NDArray composed;
        try (GradientScope tape = GradientScope.open()) {
            fused = FusedActivations.silu(a);
            tape.backward(fused.mul(weights).sum());
        }
        try (GradientScope tape = GradientScope.open()) {
            composed = b.mul(Activation.sigmoid(b));
            tape.backward(composed.mul(weights).sum());
        }
        assertThat(fused.sub(composed).abs().max().getFloat()).isLessThan(1e-5f);
        assertThat(a.getGradient().sub(b.getGradient()).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void withoutRecordingNoGraphIsKept() {
        NDArray x = manager.randomNormal(new Shape(N));
        x.setRequiresGradient(true);
        try (NoGradient off = NoGradient.open()) {
            NDArray y = FusedActivations.silu(x);
            assertThat(y).isNotNull();
            assertThat(y.hasGradient()).as("no autograd graph under NoGradient").isFalse();
        }
    }

    @Test
    void smallOrNamedArraysAreLeftToTheComposedForm() {
        assertThat(FusedActivations.silu(manager.ones(new Shape(FusedActivations.MIN_ELEMENTS - 1)))).isNull();
        NDArray named = manager.ones(new Shape(N));
        named.setName("x");
        assertThat(FusedActivations.silu(named)).isNull();
    }
}
