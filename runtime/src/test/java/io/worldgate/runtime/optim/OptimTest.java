package io.worldgate.runtime.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OptimTest {
    NDManager m;
    ParameterStore store;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        store = new ParameterStore(m, false);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Linear(1) on 3 inputs with weight w and bias b. */
    private Linear linear(float[] w, float b) {
        Linear l = Linear.builder().setUnits(1).build();
        l.initialize(m, DataType.FLOAT32, new Shape(1, 3));
        l.getParameters().get("weight").getArray().set(w);
        l.getParameters().get("bias").getArray().set(new float[] {b});
        return l;
    }

    /** loss = Σ(x·w + b) for x = (3, 0, 4): gradients dw = (3, 0, 4), db = 1. */
    private void backward(Linear l) {
        NDArray x = m.create(new float[] {3f, 0f, 4f}, new Shape(1, 3));
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(l.forward(store, new NDList(x), true).singletonOrThrow().sum());
        }
    }

    private static float[] grad(Linear l, String name) {
        try (NDArray g = l.getParameters().get(name).getArray().getGradient()) {
            return g.toFloatArray();
        }
    }

    @Test
    void aHugeButFiniteGradientHasAFiniteNormAndIsClipped() {
        Linear l = linear(new float[] {0f, 0f, 0f}, 0f);
        backward(l);
        List<Parameter> params = Parameters.trainable(l);
        // gradients (3, 0, 4) and 1 times 1e20: their squares overflow float32, the norm
        // sqrt(26) * 1e20 = 5.0990195e20 does not
        for (Parameter p : params) {
            p.getArray().getGradient().muli(1e20f);
        }
        assertThat(GradientClipping.globalNorm(params)).isCloseTo(5.0990195e20f, within(1e15f));
        GradientClipping.clipByGlobalNorm(params, 1f);
        assertThat(grad(l, "weight")[2]).isCloseTo(4f / (float) Math.sqrt(26), within(1e-5f));
        // an infinite gradient still has an infinite norm, and the optimizer skips such a step
        l.getParameters().get("bias").getArray().getGradient().set(new float[] {Float.POSITIVE_INFINITY});
        assertThat(GradientClipping.globalNorm(params)).isInfinite();
    }

    @Test
    void globalNormClippingScalesAllGradientsByClipOverNorm() {
        Linear l = linear(new float[] {0f, 0f, 0f}, 0f);
        backward(l);
        List<Parameter> params = Parameters.trainable(l);
        // ||g|| = sqrt(3² + 0² + 4² + 1²) = sqrt(26) = 5.0990195 over both tensors together
        assertThat(GradientClipping.globalNorm(params)).isCloseTo(5.0990195f, within(1e-5f));
        float before = GradientClipping.clipByGlobalNorm(params, 1f);
        assertThat(before).isCloseTo(5.0990195f, within(1e-5f));
        // every gradient times 1 / sqrt(26) = 0.19611614: (0.588348, 0, 0.784465) and 0.196116
        float s = 1f / (float) Math.sqrt(26);
        float[] gw = grad(l, "weight");
        assertThat(gw[0]).isCloseTo(3 * s, within(1e-6f));
        assertThat(gw[1]).isEqualTo(0f);
        assertThat(gw[2]).isCloseTo(4 * s, within(1e-6f));
        assertThat(grad(l, "bias")[0]).isCloseTo(s, within(1e-6f));
        assertThat(GradientClipping.globalNorm(params)).isCloseTo(1f, within(1e-5f));
        // below the threshold nothing changes
        assertThat(GradientClipping.clipByGlobalNorm(params, 10f)).isCloseTo(1f, within(1e-5f));
        assertThat(grad(l, "bias")[0]).isCloseTo(s, within(1e-6f));
    }

    @Test
    void adamFirstStepByHand() {
        // t = 1: m = 0.1 g, v = 0.001 g², m̂ = g, v̂ = g²; step = η g / (|g| + ε).
        // With η = 0.1, ε = 1: w_0 -= 0.1 * 3/4 = 0.075, w_1 -= 0 (g = 0), w_2 -= 0.1 * 4/5 = 0.08,
        // b -= 0.1 * 1/2 = 0.05.
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().learningRate(0.1f).epsilon(1f).build(l)) {
            backward(l);
            assertThat(adam.step()).isTrue();
            assertThat(adam.steps()).isEqualTo(1);
            assertThat(adam.lastGradientNorm()).isCloseTo(5.0990195f, within(1e-5f));
            float[] w = l.getParameters().get("weight").getArray().toFloatArray();
            assertThat(w[0]).isCloseTo(0.925f, within(1e-6f));
            assertThat(w[1]).isEqualTo(1f);
            assertThat(w[2]).isCloseTo(0.92f, within(1e-6f));
            assertThat(l.getParameters().get("bias").getArray().toFloatArray()[0]).isCloseTo(0.95f, within(1e-6f));
            // gradients are zeroed by the step
            assertThat(grad(l, "weight")).containsOnly(0f);

            // t = 2 with the same gradient: m = 0.19 g, v = 0.001999 g²; m̂ = g, v̂ = g² again,
            // so the same step: w_0 = 0.925 - 0.075 = 0.85
            backward(l);
            adam.step();
            assertThat(l.getParameters().get("weight").getArray().toFloatArray()[0]).isCloseTo(0.85f, within(1e-6f));
        }
    }

    @Test
    void fusedAndPortableUpdatesAgree() {
        // the engine's fused kernel with rescaled η and ε against the plain formula, over 5 steps
        for (boolean decoupled : new boolean[] {false, true}) {
            Linear fused = linear(new float[] {1f, -2f, 0.5f}, 0.3f);
            Linear plain = linear(new float[] {1f, -2f, 0.5f}, 0.3f);
            Adam.Builder b = Adam.builder().learningRate(0.05f).epsilon(1e-3f).clipGlobalNorm(2f);
            b = decoupled ? b.decoupledWeightDecay(0.1f) : b.weightDecay(0.1f);
            try (Adam f = b.build(fused); Adam p = b.build(plain)) {
                p.usePortableUpdate();
                for (int i = 0; i < 5; i++) {
                    backward(fused);
                    f.step();
                    backward(plain);
                    p.step();
                }
                float[] wf = fused.getParameters().get("weight").getArray().toFloatArray();
                float[] wp = plain.getParameters().get("weight").getArray().toFloatArray();
                for (int j = 0; j < 3; j++) {
                    assertThat(wf[j]).isCloseTo(wp[j], within(1e-6f));
                }
                assertThat(wf[0]).isNotEqualTo(1f);
                assertThat(grad(plain, "weight")).containsOnly(0f);
                assertThat(grad(fused, "weight")).containsOnly(0f);
            }
        }
    }

    @Test
    void adamClipsBeforeTheUpdate() {
        // clip at 1: g becomes g / sqrt(26); with ε = 0 the first step is η sign(g) regardless, so
        // use ε = 1: w_0 -= 0.1 * (3/√26) / (3/√26 + 1) = 0.1 * 0.588348 / 1.588348 = 0.0370415
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().learningRate(0.1f).epsilon(1f).clipGlobalNorm(1f).build(l)) {
            backward(l);
            adam.step();
            assertThat(l.getParameters().get("weight").getArray().toFloatArray()[0])
                    .isCloseTo(1f - 0.0370415f, within(1e-6f));
        }
    }

    @Test
    void adamWDecaysDecoupled() {
        // AdamW, η = 0.1, λ = 0.5, ε = 1: w_0 = 1 * (1 - 0.05) - 0.075 = 0.875; the zero-gradient
        // weight only decays: w_1 = 0.95
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().learningRate(0.1f).epsilon(1f).decoupledWeightDecay(0.5f).build(l)) {
            backward(l);
            adam.step();
            float[] w = l.getParameters().get("weight").getArray().toFloatArray();
            assertThat(w[0]).isCloseTo(0.875f, within(1e-6f));
            assertThat(w[1]).isCloseTo(0.95f, within(1e-6f));
        }
    }

    @Test
    void decayMatricesOnlyLeavesVectorsUndecayed() {
        // zero gradients, AdamW η = 0.1, λ = 0.5: the [1, 3] weight only decays, w ← 0.95 w per step;
        // the [1] bias is a vector, exempt: it keeps its value
        for (boolean portable : new boolean[] {false, true}) {
            Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
            try (Adam adam = Adam.builder().learningRate(0.1f).epsilon(1f).decoupledWeightDecay(0.5f).decayMatricesOnly()
                    .build(l)) {
                if (portable) {
                    adam.usePortableUpdate();
                }
                for (int i = 0; i < 3; i++) {
                    NDArray x = m.create(new float[] {3f, 0f, 4f}, new Shape(1, 3));
                    try (GradientScope tape = GradientScope.open()) {
                        tape.backward(l.forward(store, new NDList(x), true).singletonOrThrow().sum().mul(0f));
                    }
                    adam.step();
                }
                for (float w : l.getParameters().get("weight").getArray().toFloatArray()) {
                    assertThat(w).as("portable %s", portable).isCloseTo(0.857375f, within(1e-6f));
                }
                assertThat(l.getParameters().get("bias").getArray().toFloatArray()).as("portable %s", portable)
                        .containsExactly(1f);
            }
        }
        // without the option the bias decays too: with a zero gradient, by exactly the weight's factor
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().learningRate(0.1f).epsilon(1f).decoupledWeightDecay(0.5f).build(l)) {
            NDArray x = m.create(new float[] {3f, 0f, 4f}, new Shape(1, 3));
            try (GradientScope tape = GradientScope.open()) {
                tape.backward(l.forward(store, new NDList(x), true).singletonOrThrow().sum().mul(0f));
            }
            adam.step();
            assertThat(l.getParameters().get("bias").getArray().toFloatArray()[0]).isCloseTo(0.95f, within(1e-6f));
        }
    }

    @Test
    void nonFiniteGradientsSkipTheStep() {
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().learningRate(0.1f).build(l)) {
            NDArray x = m.create(new float[] {Float.NaN, 0f, 0f}, new Shape(1, 3));
            try (GradientScope tape = GradientScope.open()) {
                tape.backward(l.forward(store, new NDList(x), true).singletonOrThrow().sum());
            }
            assertThat(adam.step()).isFalse();
            assertThat(adam.skippedSteps()).isEqualTo(1);
            assertThat(l.getParameters().get("weight").getArray().toFloatArray()).containsOnly(1f);
            // the NaN gradient was cleared, so the next step is normal
            assertThat(grad(l, "weight")).containsOnly(0f);
            backward(l);
            assertThat(adam.step()).isTrue();
        }
    }

    @Test
    void adamStateRoundTrip() throws Exception {
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Adam adam = Adam.builder().learningRate(0.1f).build(l)) {
            backward(l);
            adam.step();
            adam.saveState(new DataOutputStream(bytes));
        }
        try (Adam restored = Adam.builder().learningRate(0.1f).build(l)) {
            restored.loadState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(restored.steps()).isEqualTo(1);
        }
        Linear other = Linear.builder().setUnits(2).build();
        other.initialize(m, DataType.FLOAT32, new Shape(1, 3));
        try (Adam mismatched = Adam.builder().build(other)) {
            assertThatThrownBy(() -> mismatched.loadState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                    .isInstanceOf(IncompatibleCheckpointException.class).hasMessageContaining("shape");
        }
    }

    @Test
    void stepInsideAGradientScopeIsRefused() {
        Linear l = linear(new float[] {1f, 1f, 1f}, 1f);
        try (Adam adam = Adam.builder().build(l); GradientScope tape = GradientScope.open()) {
            assertThatThrownBy(adam::step).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(GradientScope::open).isInstanceOf(IllegalStateException.class);
            tape.hashCode();
        }
    }

    @Test
    void emaTargetArithmetic() {
        // θ = 1, θ' = 0, τ = 0.02: after one update θ' = 0.02, after two 0.98*0.02 + 0.02 = 0.0396
        Linear online = linear(new float[] {1f, 1f, 1f}, 1f);
        Linear target = linear(new float[] {0f, 0f, 0f}, 0f);
        EmaTarget ema = EmaTarget.of(online, target, 0.02f, 1);
        assertThat(ema.update()).isTrue();
        assertThat(target.getParameters().get("weight").getArray().toFloatArray()[0]).isCloseTo(0.02f, within(1e-7f));
        ema.update();
        assertThat(target.getParameters().get("bias").getArray().toFloatArray()[0]).isCloseTo(0.0396f, within(1e-7f));
        // the target is frozen
        assertThat(target.getParameters().get("weight").requiresGradient()).isFalse();

        // every 2: the first call does nothing, the second applies τ = 0.5: 0.5*0 + 0.5*1 = 0.5
        Linear t2 = linear(new float[] {0f, 0f, 0f}, 0f);
        EmaTarget slow = EmaTarget.of(online, t2, 0.5f, 2);
        assertThat(slow.update()).isFalse();
        assertThat(t2.getParameters().get("weight").getArray().toFloatArray()[0]).isEqualTo(0f);
        assertThat(slow.update()).isTrue();
        assertThat(t2.getParameters().get("weight").getArray().toFloatArray()[0]).isCloseTo(0.5f, within(1e-7f));
        slow.copyNow();
        assertThat(t2.getParameters().get("weight").getArray().toFloatArray()).containsOnly(1f);
    }
}
