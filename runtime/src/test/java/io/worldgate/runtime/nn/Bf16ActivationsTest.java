package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hidden layers under bfloat16 products keep their activations in bfloat16, as {@code torch.autocast}
 * does: a hidden linear layer's result, its LayerNorm and its Mish stay bfloat16, and the next
 * product reads them without a cast; output layers widen to float32. Values are checked against
 * hand-derived ones (bfloat16 keeps 8 significant bits: one rounding is within 2^-9 relative) and
 * against the float32 path.
 */
class Bf16ActivationsTest {
    /** One bfloat16 rounding, with margin: 2^-8 relative. */
    private static final double BF16 = 1.0 / 256;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /**
     * x = [1, 1], w = [1, 2^-8 + 2^-10] (both exact in bfloat16), b = 0: x w^T = 1.0048828125 in float32;
     * bfloat16's neighbours there are 1 and 1.0078125, and the nearer is 1.0078125. The hidden layer
     * returns that bfloat16 number itself; the output layer the same number widened to float32.
     */
    @Test
    void aHiddenProductStaysBfloat16AndAnOutputProductWidens() {
        NDArray x = manager.create(new float[] {1f, 1f}, new Shape(1, 2));
        NDArray w = manager.create(new float[] {1f, 0.0048828125f}, new Shape(1, 2));
        NDArray b = manager.zeros(new Shape(1));
        assertThat(Products.hiddenLinear(x, w, b).toFloatArray()).as("float32 outside a bf16 scope")
                .containsExactly(1.0048828f);
        try (Autocast on = Autocast.open(Precision.BF16)) {
            NDArray hidden = Products.hiddenLinear(x, w, b);
            NDArray output = Products.linear(x, w, b);
            assertThat(Bf16Kernels.isBf16(hidden)).isTrue();
            assertThat(output.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(widened(hidden)).containsExactly(1.0078125f);
            assertThat(output.toFloatArray()).containsExactly(1.0078125f);
            // a bfloat16 input goes into the next product as it is
            assertThat(Products.linear(hidden, manager.create(new float[] {2f}, new Shape(1, 1)), null).toFloatArray())
                    .containsExactly(2.015625f);
        }
    }

    /** Mish of bfloat16 numbers: x tanh(ln(1 + e^x)), rounded once to bfloat16, the type kept. */
    @Test
    void mishOfBfloat16ActivationsMatchesItsDefinition() {
        float[] xs = {-5f, -1f, -0.5f, 0f, 1f, 2f, 20f};
        double[] expected = {-0.0335762377, -0.3034014614, -0.2207437747, 0, 0.8650983883, 1.9439589595, 20};
        NDArray y = Mish.mish(bf16(xs));
        assertThat(Bf16Kernels.isBf16(y)).isTrue();
        float[] got = widened(y);
        for (int i = 0; i < xs.length; i++) {
            assertThat((double) got[i]).as("mish(%s)", xs[i]).isCloseTo(expected[i], within(Math.abs(expected[i]) * BF16));
        }
    }

    /**
     * LayerNorm of bfloat16 [1, 2, 3, 4] with float32 γ = 1, β = 0: (x - 2.5) / sqrt(1.25 + 1e-5) =
     * ±0.4472118, ±1.3416354, in bfloat16.
     */
    @Test
    void layerNormReadsBfloat16WithFloat32Parameters() {
        LayerNorm norm = LayerNorm.overFeatures(1e-5f);
        norm.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray y;
        try (NoGradient off = NoGradient.open()) {
            y = norm.forward(ps, new NDList(bf16(new float[] {1f, 2f, 3f, 4f})), false).singletonOrThrow();
        }
        assertThat(Bf16Kernels.isBf16(y)).isTrue();
        float[] got = widened(y);
        double[] expected = {-1.3416354200, -0.4472118067, 0.4472118067, 1.3416354200};
        for (int i = 0; i < 4; i++) {
            assertThat((double) got[i]).isCloseTo(expected[i], within(Math.abs(expected[i]) * BF16));
        }
    }

    /**
     * An MLP {@code Linear -> LayerNorm -> Mish -> Linear -> LayerNorm -> Mish -> Linear} of the
     * runtime's blocks: under bfloat16 its output is float32 and within bfloat16's error of the
     * float32 network (every product and activation rounds to 8 bits: 3% relative on the whole
     * output), and so are the parameters' gradients, which arrive in float32.
     */
    @Test
    void anMlpWithBfloat16ActivationsTracksFloat32ForwardAndBackward() {
        SequentialBlock mlp = new SequentialBlock();
        for (int i = 0; i < 2; i++) {
            mlp.add(Heads.hiddenLinear(64, true)).add(LayerNorm.overFeatures(1e-5f)).add(new Mish());
        }
        mlp.add(Heads.linear(8, true));
        mlp.setInitializer(new NormalInitializer(0.2f), Parameter.Type.WEIGHT);
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        mlp.initialize(manager, DataType.FLOAT32, new Shape(32, 16));
        ParameterStore ps = new ParameterStore(manager, false);
        for (var p : mlp.getParameters().values()) {
            p.getArray().setRequiresGradient(true);
        }
        NDArray x = manager.randomNormal(new Shape(32, 16));
        NDArray target = manager.randomNormal(new Shape(32, 8));

        Run fp32 = run(mlp, ps, x, target, Precision.FP32);
        // gradients accumulate: the second run's are what it added to the first's
        Run both = run(mlp, ps, x, target, Precision.BF16);
        assertThat(both.output.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(relativeError(both.output, fp32.output)).as("outputs").isLessThan(0.03);
        for (int i = 0; i < fp32.gradients.size(); i++) {
            NDArray bf16 = both.gradients.get(i).sub(fp32.gradients.get(i));
            assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(relativeError(bf16, fp32.gradients.get(i))).as("gradient %d", i).isLessThan(0.05);
        }
    }

    /**
     * An inference scope casts each weight once: two products on the same parameter keep one
     * bfloat16 copy and give the same numbers as a plain bf16 scope (x = [1 + 2^-10, 0] times
     * ones: 1 in bfloat16); with gradients recorded it keeps none, so the gradient still reaches
     * the float32 parameter; and closing it frees the copy, leaving nothing in the parameters' manager.
     */
    @Test
    void anInferenceScopeCastsEachWeightOnce() {
        ai.djl.nn.core.Linear layer = Heads.hiddenLinear(2, true);
        layer.setInitializer(ai.djl.training.initializer.Initializer.ONES, Parameter.Type.WEIGHT);
        layer.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray w = layer.getParameters().get("weight").getArray();
        int before = manager.getManagedArrays().size();
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(new float[] {1f + 1f / 1024f, 0f}, new Shape(1, 2));
            float[] plain;
            try (NoGradient off = NoGradient.open(); Autocast on = Autocast.open(Precision.BF16)) {
                plain = widened(layer.forward(ps, new NDList(x), false).singletonOrThrow());
                assertThat(Autocast.copiesKept()).isZero();
            }
            try (NoGradient off = NoGradient.open(); Autocast on = Autocast.openForInference(Precision.BF16)) {
                float[] first = widened(layer.forward(ps, new NDList(x), false).singletonOrThrow());
                float[] second = widened(Products.linear(x, w, null));
                assertThat(Autocast.copiesKept()).isEqualTo(1);
                assertThat(first).containsExactly(plain).containsExactly(1f, 1f);
                assertThat(second).containsExactly(1f, 1f);
            }
            assertThat(Autocast.copiesKept()).isZero();
        }
        assertThat(manager.getManagedArrays().size()).as("arrays in the parameters' manager").isEqualTo(before);
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(new float[] {1f + 1f / 1024f, 0f}, new Shape(1, 2));
            w.setRequiresGradient(true);
            try (GradientScope tape = GradientScope.open(); Autocast on = Autocast.openForInference(Precision.BF16)) {
                tape.backward(Products.linear(x, w, null).sum());
                assertThat(Autocast.copiesKept()).isZero();
            }
            assertThat(w.getGradient().toFloatArray()).containsExactly(1f, 0f, 1f, 0f);
        }
    }

    /**
     * An ensemble of 3 MLPs (dropout off) under bfloat16: its hidden activations stay bfloat16 (the
     * members' LayerNorm scales and offsets cast for them) and its output is float32, within
     * bfloat16's error of the float32 ensemble (3% relative over the outputs, 5% over each
     * parameter's gradient), for all members and for two chosen ones.
     */
    @Test
    void anEnsembleWithBfloat16ActivationsTracksFloat32() {
        EnsembleMlp ensemble = new EnsembleMlp(3, 48, 2, 5, 0f, 1e-5f);
        ensemble.setInitializer(new NormalInitializer(0.2f), Parameter.Type.WEIGHT);
        ensemble.setInitializer(new NormalInitializer(0.5f), Parameter.Type.GAMMA);
        ensemble.setInitializer(new NormalInitializer(0.5f), Parameter.Type.BETA);
        ensemble.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        ensemble.initialize(manager, DataType.FLOAT32, new Shape(16, 12));
        ParameterStore ps = new ParameterStore(manager, false);
        for (var p : ensemble.getParameters().values()) {
            p.getArray().setRequiresGradient(true);
        }
        NDArray x = manager.randomNormal(new Shape(16, 12));
        NDArray target = manager.randomNormal(new Shape(3, 16, 5));
        List<NDArray> outputs = new ArrayList<>();
        List<List<NDArray>> gradients = new ArrayList<>();
        for (Precision precision : new Precision[] {Precision.FP32, Precision.BF16}) {
            try (GradientScope tape = GradientScope.open(); Autocast on = Autocast.open(precision)) {
                NDArray y = ensemble.forward(ps, x, true);
                tape.backward(y.sub(target).square().mean());
                outputs.add(y.duplicate());
            }
            List<NDArray> g = new ArrayList<>();
            for (var p : ensemble.getParameters().values()) {
                g.add(p.getArray().getGradient().duplicate());
            }
            gradients.add(g);
        }
        assertThat(outputs.get(1).getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(relativeError(outputs.get(1), outputs.get(0))).as("outputs").isLessThan(0.03);
        for (int i = 0; i < gradients.get(0).size(); i++) {
            NDArray fp32 = gradients.get(0).get(i);
            // gradients accumulate: the second pass's are what it added
            NDArray bf16 = gradients.get(1).get(i).sub(fp32);
            assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(relativeError(bf16, fp32)).as("gradient of %s", ensemble.getParameters().keys().get(i))
                    .isLessThan(0.05);
        }
        try (NoGradient off = NoGradient.open()) {
            NDArray fp32 = ensemble.forward(ps, x, new int[] {2, 0}, false);
            NDArray bf16;
            try (Autocast on = Autocast.open(Precision.BF16)) {
                bf16 = ensemble.forward(ps, x, new int[] {2, 0}, false);
            }
            assertThat(bf16.getShape()).isEqualTo(new Shape(2, 16, 5));
            assertThat(relativeError(bf16, fp32)).as("two chosen members").isLessThan(0.03);
        }
    }

    private record Run(NDArray output, List<NDArray> gradients) {}

    private Run run(SequentialBlock mlp, ParameterStore ps, NDArray x, NDArray target, Precision precision) {
        NDArray output;
        try (GradientScope tape = GradientScope.open(); Autocast on = Autocast.open(precision)) {
            output = mlp.forward(ps, new NDList(x), true).singletonOrThrow();
            tape.backward(output.sub(target).square().mean());
        }
        List<NDArray> gradients = new ArrayList<>();
        for (var p : mlp.getParameters().values()) {
            gradients.add(p.getArray().getGradient().duplicate());
        }
        return new Run(output.duplicate(), gradients);
    }

    private static double relativeError(NDArray got, NDArray want) {
        return got.sub(want).norm().getFloat() / want.norm().getFloat();
    }

    /** {@code values} as a bfloat16 row (each exact in bfloat16): an identity product's hidden result. */
    private NDArray bf16(float[] values) {
        int n = values.length;
        try (Autocast on = Autocast.open(Precision.BF16)) {
            NDArray y = Products.hiddenLinear(manager.create(values, new Shape(1, n)), manager.eye(n), manager.zeros(new Shape(n)));
            assertThat(Bf16Kernels.isBf16(y)).isTrue();
            return y;
        }
    }

    /** A bfloat16 array's numbers, exactly, as float32. */
    private static float[] widened(NDArray bf16) {
        return bf16.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
