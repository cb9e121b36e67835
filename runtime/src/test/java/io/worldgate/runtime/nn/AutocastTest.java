package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Matrix products under {@link Autocast}: bfloat16 operands (8 significant bits) and float32
 * results, checked with values whose rounding is known by hand. 1 + 2^-10 is exact in float32 and
 * rounds to 1 in bfloat16; small integers and halves are exact in both.
 */
class AutocastTest {
    private static final float FINE = 1f + 1f / 1024f;

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
    void theKernelsLoadOnThePyTorchEngine() {
        assertThat(Bf16Kernels.available()).isTrue();
    }

    /**
     * x = [[1, 2], [3, 4]], w = [[1, 0.5], [-2, 1]], b = [0.25, -1]: x w^T + b = [[2.25, -1],
     * [5.25, -3]], exact in both formats; with x00 = 1 + 2^-10 float32 gives 2.2509766 and -1.0019531, bfloat16
     * rounds x00 to 1 and gives the exact values.
     */
    @Test
    void linearRoundsItsOperandsToBfloat16AndReturnsFloat32() {
        NDArray x = manager.create(new float[] {FINE, 2f, 3f, 4f}, new Shape(2, 2));
        NDArray w = manager.create(new float[] {1f, 0.5f, -2f, 1f}, new Shape(2, 2));
        NDArray b = manager.create(new float[] {0.25f, -1f});
        NDArray fp32 = Products.linear(x, w, b);
        NDArray bf16;
        try (Autocast on = Autocast.open(Precision.BF16)) {
            bf16 = Products.linear(x, w, b);
        }
        assertThat(fp32.toFloatArray()).containsExactly(2.2509766f, -1.0019531f, 5.25f, -3f);
        assertThat(bf16.toFloatArray()).containsExactly(2.25f, -1f, 5.25f, -3f);
        assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32);
        try (Autocast on = Autocast.open(Precision.BF16)) {
            assertThat(Products.linear(x, w, null).toFloatArray()).containsExactly(2f, 0f, 5f, -2f);
        }
    }

    /**
     * d/dw sum(x w^T + b) = the column sums of x, [4, 6] per output (x00 rounded to 1), and
     * d/db = 2 rows; the gradients arrive in float32, on the float32 parameters.
     */
    @Test
    void gradientsReachFloat32ParametersThroughTheCasts() {
        NDArray x = manager.create(new float[] {FINE, 2f, 3f, 4f}, new Shape(2, 2));
        NDArray w = manager.create(new float[] {1f, 0.5f, -2f, 1f}, new Shape(2, 2));
        NDArray b = manager.create(new float[] {0.25f, -1f});
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (GradientScope tape = GradientScope.open(); Autocast on = Autocast.open(Precision.BF16)) {
            tape.backward(Products.linear(x, w, b).sum());
        }
        assertThat(w.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(w.getGradient().toFloatArray()).containsExactly(4f, 6f, 4f, 6f);
        assertThat(b.getGradient().toFloatArray()).containsExactly(2f, 2f);
    }

    /** A batched product [2, 1, 2] @ [2, 2, 1]: per batch the dot product of the rows. */
    @Test
    void matMulIsBatchedAndRounded() {
        NDArray a = manager.create(new float[] {FINE, 2f, 3f, -1f}, new Shape(2, 1, 2));
        NDArray c = manager.create(new float[] {1f, 1f, 0.5f, 2f}, new Shape(2, 2, 1));
        NDArray bf16;
        try (Autocast on = Autocast.open(Precision.BF16)) {
            bf16 = Products.matMul(a, c);
        }
        assertThat(bf16.getShape()).isEqualTo(new Shape(2, 1, 1));
        assertThat(bf16.toFloatArray()).containsExactly(3f, -0.5f);
        assertThat(Products.matMul(a, c).toFloatArray()).containsExactly(3.0009766f, -0.5f);
    }

    /**
     * A 2x2 kernel of ones over a 2x2 image [[1 + 2^-10, 2], [3, 4]]: the sum of its pixels, 10.0009766
     * in float32 and 10 with bfloat16 operands; stride 2 and padding 1 on a 1x1 kernel of 2 pick the
     * corners of the zero-padded 4x4 image: [[0, 0], [0, 8]].
     */
    @Test
    void convolutionsRoundTheirOperandsToo() {
        NDArray x = manager.create(new float[] {FINE, 2f, 3f, 4f}, new Shape(1, 1, 2, 2));
        NDArray ones = manager.ones(new Shape(1, 1, 2, 2));
        Shape one = new Shape(1, 1);
        Shape none = new Shape(0, 0);
        assertThat(Products.conv2d(x, ones, null, one, none, one, 1).toFloatArray()).containsExactly(10.0009766f);
        try (Autocast on = Autocast.open(Precision.BF16)) {
            assertThat(Products.conv2d(x, ones, null, one, none, one, 1).toFloatArray()).containsExactly(10f);
            NDArray two = manager.create(new float[] {2f}, new Shape(1, 1, 1, 1));
            NDArray y = Products.conv2d(x, two, manager.zeros(new Shape(1)), new Shape(2, 2), one, one, 1);
            assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 2, 2));
            assertThat(y.toFloatArray()).containsExactly(0f, 0f, 0f, 8f);
        }
        AutocastBlocks.Conv2d layer = new AutocastBlocks.Conv2d(Conv2d.builder().setKernelShape(new Shape(2, 2)).setFilters(1).optBias(false));
        layer.setInitializer(ai.djl.training.initializer.Initializer.ONES, ai.djl.nn.Parameter.Type.WEIGHT);
        layer.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2, 2));
        ParameterStore ps = new ParameterStore(manager, false);
        try (NoGradient off = NoGradient.open()) {
            assertThat(forward(layer, ps, x)).containsExactly(10.0009766f);
            try (Autocast on = Autocast.open(Precision.BF16)) {
                assertThat(forward(layer, ps, x)).containsExactly(10f);
            }
        }
    }

    /** The runtime's linear layer is DJL's Linear (same parameters) and follows the thread's precision. */
    @Test
    void theRuntimesLinearLayerFollowsTheScope() {
        Linear layer = Heads.linear(2, true);
        layer.setInitializer(ai.djl.training.initializer.Initializer.ONES, ai.djl.nn.Parameter.Type.WEIGHT);
        layer.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.create(new float[] {FINE, 0f}, new Shape(1, 2));
        try (NoGradient off = NoGradient.open()) {
            assertThat(forward(layer, ps, x)).containsExactly(FINE, FINE);
            try (Autocast on = Autocast.open(Precision.BF16)) {
                assertThat(forward(layer, ps, x)).containsExactly(1f, 1f);
            }
            assertThat(forward(layer, ps, x)).as("fp32 again once the scope closed").containsExactly(FINE, FINE);
        }
    }

    /**
     * A layer's parameters live in the agent's long-lived manager and carry names: products on them
     * must leave nothing behind there, call after call, and their gradients must reach them.
     */
    @Test
    void productsOnParametersLeaveNothingInTheParametersManager() {
        Linear layer = Heads.linear(3, true);
        layer.initialize(manager, DataType.FLOAT32, new Shape(4, 2));
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray w = layer.getParameters().get("weight").getArray();
        assertThat(w.getName()).as("DJL names parameter arrays").isNotNull();
        int before = manager.getManagedArrays().size();
        for (int i = 0; i < 5; i++) {
            try (NDManager step = manager.newSubManager();
                    GradientScope tape = GradientScope.open();
                    Autocast on = Autocast.open(Precision.BF16)) {
                NDArray x = step.ones(new Shape(4, 2));
                tape.backward(layer.forward(ps, new NDList(x), true).singletonOrThrow().sum());
            }
        }
        assertThat(manager.getManagedArrays().size()).as("arrays in the parameters' manager").isEqualTo(before);
        // d/dw sum(x w^T + b) over 4 rows of ones is 4 per weight, accumulated over the 5 passes
        assertThat(w.getGradient().toFloatArray()).containsOnly(20f);
    }

    @Test
    void scopesNestAndRestore() {
        assertThat(Autocast.current()).isEqualTo(Precision.FP32);
        try (Autocast outer = Autocast.open(Precision.BF16)) {
            try (Autocast inner = Autocast.open(Precision.FP32)) {
                assertThat(Autocast.current()).isEqualTo(Precision.FP32);
            }
            assertThat(Autocast.current()).isEqualTo(Precision.BF16);
        }
        assertThat(Autocast.current()).isEqualTo(Precision.FP32);
    }

    @Test
    void precisionKeysParseAndFallBackWhereBfloat16IsNotFast() {
        assertThat(Precision.of(" BF16 ")).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> Precision.of("fp16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fp32 or bf16");
        assertThat(Precision.FP32.on(Device.cpu())).isEqualTo(Precision.FP32);
        assertThat(Precision.BF16.on(Device.cpu()))
                .isEqualTo(Bf16Kernels.fastOnThisCpu() ? Precision.BF16 : Precision.FP32);
    }

    private static float[] forward(Block layer, ParameterStore ps, NDArray x) {
        return layer.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
    }
}
