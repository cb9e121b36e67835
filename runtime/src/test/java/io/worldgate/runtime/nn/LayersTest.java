package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.worldgate.runtime.nn.internal.NativeTransposedConv;
import io.worldgate.runtime.optim.GradientScope;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayersTest {
    static NDManager m;
    static ParameterStore store;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
        store = new ParameterStore(m, false);
        Engine.getInstance().setRandomSeed(3);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void mlpOnSequencesWithZeroInitialisedHead() {
        Mlp mlp = Mlp.builder().units(16).layers(2).outputs(5).zeroInitOutput(true).build();
        mlp.initialize(m, DataType.FLOAT32, new Shape(1, 7));
        // [B, T, D] input: Linear and LayerNorm work on the last axis
        NDArray x = m.randomNormal(new Shape(3, 4, 7));
        NDArray y = mlp.forward(store, new NDList(x), false).singletonOrThrow();
        assertThat(y.getShape()).isEqualTo(new Shape(3, 4, 5));
        // zero head: every output exactly 0
        assertThat(y.abs().max().getFloat()).isEqualTo(0f);
        // 2 x (Linear without bias, LayerNorm γ β), SiLU has none, head weight + bias
        assertThat(mlp.getParameters().size()).isEqualTo(2 * 3 + 2);
        assertThat(mlp.getOutputShapes(new Shape[] {new Shape(3, 4, 7)})[0]).isEqualTo(new Shape(3, 4, 5));
    }

    @Test
    void layerNormNormalisesTheLastAxisOnly() {
        LayerNorm ln = LayerNorm.overFeatures(1e-5f);
        ln.initialize(m, DataType.FLOAT32, new Shape(2, 3, 4));
        // row (1, 2, 3, 4): mean 2.5, var 1.25 -> (x - 2.5) / sqrt(1.25) = (-1.341641, -0.447214, ...)
        NDArray x = m.arange(1f, 25f).reshape(2, 3, 4);
        float[] y = ln.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
        assertThat(y[0]).isCloseTo(-1.341641f, within(1e-4f));
        assertThat(y[1]).isCloseTo(-0.447214f, within(1e-4f));
        // every row of 4 is normalised on its own, so row 5 gives the same values
        assertThat(y[20]).isCloseTo(y[0], within(1e-4f));

        LayerNorm channels = LayerNorm.overChannels(1e-5f);
        channels.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 1));
        // NCHW with 2 channels (3, 5) at one pixel: mean 4, var 1 -> (-1, 1)
        NDArray img = m.create(new float[] {3f, 5f}, new Shape(1, 2, 1, 1));
        float[] z = channels.forward(store, new NDList(img), false).singletonOrThrow().toFloatArray();
        assertThat(z[0]).isCloseTo(-1f, within(1e-4f));
        assertThat(z[1]).isCloseTo(1f, within(1e-4f));
    }

    @Test
    void convEncoderAndDecoderMirrorEachOther() {
        // DreamerV3 small at 64x64: depth 32 -> 32, 64, 128, 256 channels at 32, 16, 8, 4 pixels;
        // 256 * 4 * 4 = 4096 features
        ConvEncoder enc = ConvEncoder.dreamerV3(32);
        enc.initialize(m, DataType.FLOAT32, new Shape(2, 64, 64, 3));
        assertThat(enc.features(64, 64)).isEqualTo(4096);
        NDArray pixels = m.randomInteger(0, 256, new Shape(1, 2, 64, 64, 3), DataType.INT32).toType(DataType.UINT8, false);
        NDArray x = ConvEncoder.preprocess(pixels);
        assertThat(x.max().getFloat()).isLessThanOrEqualTo(0.5f);
        assertThat(x.min().getFloat()).isGreaterThanOrEqualTo(-0.5f);
        NDArray f = enc.forward(store, new NDList(x), false).singletonOrThrow();
        assertThat(f.getShape()).isEqualTo(new Shape(1, 2, 4096));

        ConvDecoder dec = ConvDecoder.dreamerV3(32);
        dec.initialize(m, DataType.FLOAT32, new Shape(2, 4096));
        NDArray img = dec.forward(store, new NDList(f), false).singletonOrThrow();
        assertThat(img.getShape()).isEqualTo(new Shape(1, 2, 64, 64, 3));
        assertThat(dec.getOutputShapes(new Shape[] {new Shape(5, 100)})[0]).isEqualTo(new Shape(5, 64, 64, 3));
    }

    @Test
    void transposedConvolutionSpreadsEachPixel() {
        // kernel 2x2 of ones, stride 2, no padding: each input pixel becomes a 2x2 block
        // [[1,2],[3,4]] -> [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]
        TransposedConv2d t = new TransposedConv2d(1, 2, 2, 0, false);
        t.setInitializer(Initializer.ONES, Parameter.Type.WEIGHT);
        t.initialize(m, DataType.FLOAT32, new Shape(1, 1, 2, 2));
        NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
        NDArray y = t.forward(store, new NDList(x), false).singletonOrThrow();
        assertThat(y.getShape()).isEqualTo(new Shape(1, 1, 4, 4));
        assertThat(y.toFloatArray()).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        // World Models' VAE decoder layer: k = 5, s = 2, p = 0 maps 1 -> 5 and 5 -> 13 pixels
        TransposedConv2d vae = new TransposedConv2d(4, 5, 2, 0, true);
        assertThat(vae.outputSize(1)).isEqualTo(5);
        assertThat(vae.getOutputShapes(new Shape[] {new Shape(2, 8, 5, 5)})[0]).isEqualTo(new Shape(2, 4, 13, 13));
    }

    @Test
    void transposedConvolutionByPhasesEqualsTheDilatedDefinition() {
        // (k, s, p, bias): DreamerV3's decoder layer, without bias, the 2x2 blow-up and a stride-3 case
        int[][] cases = {{4, 2, 1, 1}, {4, 2, 1, 0}, {2, 2, 0, 1}, {6, 3, 0, 1}};
        assertEqualsTheDilatedDefinition(cases, (t, x) -> t.forwardByPhases(store, x, true));
    }

    @Test
    void nativeTransposedConvolutionEqualsTheDilatedDefinition() {
        assertThat(NativeTransposedConv.available()).as("conv_transpose2d.pt loads on libtorch").isTrue();
        // the cases above and World Models' VAE layer (k = 5, s = 2, p = 0: not computable by phases)
        int[][] cases = {{4, 2, 1, 1}, {4, 2, 1, 0}, {2, 2, 0, 1}, {6, 3, 0, 1}, {5, 2, 0, 1}};
        assertEqualsTheDilatedDefinition(cases, (t, x) -> t.forwardNative(store, x, true));
    }

    @Test
    void forwardTakesTheNativePath() {
        TransposedConv2d t = randomTransposedConv(4, 2, 1, true);
        NDArray x = m.randomNormal(new Shape(2, 3, 4, 5));
        x.setRequiresGradient(true);
        float[][] viaForward = valueAndGradients(t, x, () -> t.forward(store, new NDList(x), true).singletonOrThrow());
        float[][] nativePath = valueAndGradients(t, x, () -> t.forwardNative(store, x, true));
        for (int j = 0; j < nativePath.length; j++) {
            assertThat(viaForward[j]).containsExactly(nativePath[j]);
        }
    }

    /** For each (k, s, p, bias): y, dL/dx, dL/dw and dL/db of {@code path} against the dilated definition. */
    private static void assertEqualsTheDilatedDefinition(
            int[][] cases, java.util.function.BiFunction<TransposedConv2d, NDArray, NDArray> path) {
        String[] what = {"y", "dx", "dw", "db"};
        for (int[] c : cases) {
            TransposedConv2d t = randomTransposedConv(c[0], c[1], c[2], c[3] == 1);
            NDArray x = m.randomNormal(new Shape(2, 3, 4, 5));
            x.setRequiresGradient(true);
            float[][] fast = valueAndGradients(t, x, () -> path.apply(t, x));
            float[][] slow = valueAndGradients(t, x, () -> t.forwardByDilation(store, x, true).singletonOrThrow());
            assertThat(fast.length).isEqualTo(slow.length);
            for (int j = 0; j < slow.length; j++) {
                assertThat(fast[j]).hasSize(slow[j].length);
                for (int i = 0; i < slow[j].length; i++) {
                    assertThat(fast[j][i]).as("k=%d s=%d p=%d %s[%d]", c[0], c[1], c[2], what[j], i)
                            .isCloseTo(slow[j][i], within(j == 0 ? 1e-3f : 1e-2f));
                }
            }
        }
    }

    /** 3 -> 5 channels on {@code [2, 3, 4, 5]} inputs, every parameter drawn from N(0, 1). */
    private static TransposedConv2d randomTransposedConv(int kernel, int stride, int padding, boolean bias) {
        TransposedConv2d t = new TransposedConv2d(5, kernel, stride, padding, bias);
        t.initialize(m, DataType.FLOAT32, new Shape(2, 3, 4, 5));
        for (Parameter p : t.getParameters().values()) {
            p.getArray().set(m.randomNormal(p.getArray().getShape()).toFloatArray());
        }
        return t;
    }

    @Test
    void nativeTransposedConvolutionUnderBf16AutocastMultipliesInBfloat16() {
        TransposedConv2d t = new TransposedConv2d(8, 4, 2, 1, true);
        t.initialize(m, DataType.FLOAT32, new Shape(2, 16, 4, 4));
        NDArray x = m.randomNormal(new Shape(2, 16, 4, 4));
        float[] exact = t.forwardByDilation(store, x, false).singletonOrThrow().toFloatArray();
        float[] half;
        try (Autocast on = Autocast.open(Precision.BF16)) {
            NDArray y = t.forward(store, new NDList(x), false).singletonOrThrow();
            assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
            half = y.toFloatArray();
        }
        double err = 0;
        double norm = 0;
        for (int i = 0; i < exact.length; i++) {
            err += (half[i] - exact[i]) * (half[i] - exact[i]);
            norm += exact[i] * exact[i];
        }
        // bfloat16 operands keep about 3 significant digits: close to float32, but not equal to it
        assertThat(Math.sqrt(err / norm)).isBetween(1e-4, 2e-2);
    }

    /** y, dL/dx and dL/dw (and dL/db) of L = sum(y^2), the gradients zeroed again afterwards. */
    private static float[][] valueAndGradients(TransposedConv2d t, NDArray x, java.util.function.Supplier<NDArray> f) {
        java.util.List<float[]> out = new java.util.ArrayList<>();
        try (GradientScope tape = GradientScope.open()) {
            NDArray y = f.get();
            assertThat(y.getShape()).isEqualTo(t.getOutputShapes(new Shape[] {x.getShape()})[0]);
            out.add(y.toFloatArray());
            tape.backward(y.mul(y).sum());
        }
        out.add(x.getGradient().toFloatArray());
        x.getGradient().muli(0f);
        for (Parameter p : t.getParameters().values()) {
            NDArray g = p.getArray().getGradient();
            out.add(g.toFloatArray());
            g.muli(0f);
        }
        return out.toArray(new float[0][]);
    }

    @Test
    void nativeTransposedConvolutionIsLaidOutChannelsLast(@TempDir Path dir) throws Exception {
        TransposedConv2d t = new TransposedConv2d(3, 4, 2, 1, true);
        t.initialize(m, DataType.FLOAT32, new Shape(2, 4, 4, 4));
        LayerNorm norm = LayerNorm.overChannels(1e-3f);
        norm.initialize(m, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        Path trace = dir.resolve("trace.json");
        try (GradientScope tape = GradientScope.open()) {
            // an NCHW-contiguous input, as the decoder's first layer gets from its linear layer
            NDArray y = t.forward(store, new NDList(m.randomNormal(new Shape(2, 4, 4, 4))), true).singletonOrThrow();
            assertThat(y.getShape()).isEqualTo(new Shape(2, 3, 8, 8));
            JniUtils.startProfile(false, true, false);
            tape.backward(norm.forward(store, new NDList(y), true).singletonOrThrow().square().sum());
        } finally {
            JniUtils.stopProfile(trace.toString());
        }
        for (Parameter p : norm.getParameters().values()) {
            p.getArray().getGradient().muli(0f);
        }
        for (Parameter p : t.getParameters().values()) {
            p.getArray().getGradient().muli(0f);
        }
        // the only clone is the kernel's (oneDNN wants its transposed view contiguous), none of the activation
        String ops = Files.readString(trace).replace(" ", "");
        assertThat(ops).as("the trace records shapes").contains("[2,8,8,3]");
        int clonesOfActivations = 0;
        for (int at = ops.indexOf("\"aten::clone\""); at >= 0; at = ops.indexOf("\"aten::clone\"", at + 1)) {
            String event = ops.substring(at, ops.indexOf('}', at));
            if (event.contains("[2,3,8,8]") || event.contains("[2,8,8,3]")) {
                clonesOfActivations++;
            }
        }
        assertThat(clonesOfActivations).as("copies of the output into a contiguous layout").isZero();
        assertThat(ops.split("\"aten::native_layer_norm\"", -1).length - 1).as("layer norms").isEqualTo(1);
    }

    @Test
    void transposedConvolutionByPhasesLeavesOnlyItsOutputBehind() {
        TransposedConv2d t = new TransposedConv2d(3, 4, 2, 1, false);
        t.initialize(m, DataType.FLOAT32, new Shape(2, 4, 4, 4));
        try (NDManager update = m.newSubManager()) {
            NDArray x = update.randomNormal(new Shape(2, 4, 4, 4));
            x.setRequiresGradient(true);
            try (GradientScope tape = GradientScope.open()) {
                NDArray y = t.forwardByPhases(store, x, true);
                // x and the output: the kernel copy and the zeros it was added to, the 4 phase convolutions,
                // their kernel slices and the interleaving stacks are freed as soon as the output exists
                assertThat(update.getManagedArrays().size()).as("arrays left in the update's manager")
                        .isLessThanOrEqualTo(2);
                tape.backward(y.sum());
            }
            // backward still reaches the input and the kernel through the freed phases
            assertThat(x.getGradient().abs().sum().getFloat()).isPositive();
            assertThat(t.getParameters().get(0).getValue().getArray().getGradient().abs().sum().getFloat()).isPositive();
            t.getParameters().get(0).getValue().getArray().getGradient().muli(0f);
        }
    }

    @Test
    void transposedConvolutionByPhasesIsLaidOutChannelsLast(@TempDir Path dir) throws Exception {
        TransposedConv2d t = new TransposedConv2d(3, 4, 2, 1, true);
        t.initialize(m, DataType.FLOAT32, new Shape(2, 4, 4, 4));
        LayerNorm norm = LayerNorm.overChannels(1e-3f);
        norm.initialize(m, DataType.FLOAT32, new Shape(2, 3, 8, 8));
        NDArray y = t.forwardByPhases(store, m.randomNormal(new Shape(2, 4, 4, 4)), false);
        assertThat(y.getShape()).isEqualTo(new Shape(2, 3, 8, 8));
        Path trace = dir.resolve("trace.json");
        JniUtils.startProfile(false, false, false);
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(norm.forward(store, new NDList(y), true).singletonOrThrow().square().sum());
        } finally {
            JniUtils.stopProfile(trace.toString());
        }
        for (Parameter p : norm.getParameters().values()) {
            p.getArray().getGradient().muli(0f);
        }
        // [N, H, W, C] in memory: the channel layer norm reads its [N, H, W, C] view as it is, forward
        // and backward, instead of first copying it into that layout
        String ops = Files.readString(trace);
        assertThat(ops.split("\"aten::clone\"", -1).length - 1).as("copies into a contiguous layout").isZero();
        assertThat(ops.split("\"aten::native_layer_norm\"", -1).length - 1).as("layer norms").isEqualTo(1);
    }

    @Test
    void mlpOnAStridedSliceIsOneMatrixProductPerLayerWithTheSameValues(@TempDir Path dir) throws Exception {
        Mlp mlp = Mlp.builder().units(16).layers(2).outputs(5).build();
        mlp.initialize(m, DataType.FLOAT32, new Shape(1, 7));
        // frozen, as a world model's heads are while the actor learns through them (or a slow critic)
        mlp.getParameters().values().forEach(p -> p.freeze(true));
        NDArray trajectory = m.randomNormal(new Shape(6, 4, 7));
        trajectory.setRequiresGradient(true);
        Path trace = dir.resolve("trace.json");
        NDArray y;
        JniUtils.startProfile(false, false, false);
        try (GradientScope tape = GradientScope.open()) {
            // states 1.. of each trajectory: a view whose rows are not contiguous
            y = mlp.forward(store, new NDList(trajectory.get(":, 1:")), true).singletonOrThrow();
            tape.backward(y.sum());
        } finally {
            JniUtils.stopProfile(trace.toString());
            mlp.getParameters().values().forEach(p -> p.freeze(false));
        }
        // libtorch's linear on such a view with a weight that takes no gradient broadcasts the weight and
        // multiplies each trajectory on its own (bmm); merged rows make one matrix product per layer
        String ops = Files.readString(trace);
        assertThat(ops.split("\"aten::bmm\"", -1).length - 1).as("batched matrix products").isZero();
        assertThat(ops.split("\"aten::mm\"", -1).length - 1).as("matrix products").isPositive();
        assertThat(y.getShape()).isEqualTo(new Shape(6, 3, 5));
        assertThat(trajectory.getGradient().abs().sum().getFloat()).isPositive();
        // the definition: the MLP applied to each trajectory's [3, 7] matrix of states on its own
        for (int b = 0; b < 6; b++) {
            NDArray rows = mlp.forward(store, new NDList(trajectory.get("{}, 1:", b)), false).singletonOrThrow();
            float[] expected = rows.toFloatArray();
            float[] actual = y.get("{}", b).toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
            }
        }
    }

    @Test
    void gruCellEquationsWithZeroWeights() {
        // With W = 0 the gate pre-activations are LN(0) = β = 0: r = σ(0) = 0.5,
        // c = tanh(0.5 * 0) = 0, u = σ(0 - 1) = 0.268941; h' = u*0 + (1 - u) h = 0.731059 h
        GruCell cell = GruCell.dreamer(4);
        cell.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        cell.initialize(m, DataType.FLOAT32, new Shape(2, 3), new Shape(2, 4));
        NDArray x = m.randomNormal(new Shape(2, 3));
        NDArray h = m.create(new float[] {1, -2, 3, 0.5f, 0, 0, 0, 0}, new Shape(2, 4));
        float[] next = cell.forward(store, new NDList(x, h), false).singletonOrThrow().toFloatArray();
        float keep = (float) (1 - 1 / (1 + Math.exp(1)));
        float[] want = {keep, -2 * keep, 3 * keep, 0.5f * keep, 0, 0, 0, 0};
        for (int i = 0; i < want.length; i++) {
            assertThat(next[i]).isCloseTo(want[i], within(1e-5f));
        }
    }

    @Test
    void gruCellTrainsThroughTime() {
        GruCell cell = GruCell.dreamer(8);
        cell.initialize(m, DataType.FLOAT32, new Shape(2, 3), new Shape(2, 8));
        NDArray h = cell.initialState(m, 2);
        try (GradientScope tape = GradientScope.open()) {
            NDArray state = h;
            for (int t = 0; t < 3; t++) {
                state = cell.forward(store, new NDList(m.randomNormal(new Shape(2, 3)), state), true).singletonOrThrow();
            }
            tape.backward(state.square().sum());
        }
        NDArray gw = cell.getParameters().get(0).getValue().getArray().getGradient();
        assertThat(gw.getShape()).isEqualTo(new Shape(24, 11));
        assertThat(gw.abs().sum().getFloat()).isGreaterThan(0f);
        gw.muli(0f);
    }

    @Test
    void simNormMakesSimplices() {
        NDArray x = m.randomNormal(new Shape(3, 16));
        NDArray y = SimNorm.simNorm(x, 8).reshape(3, 2, 8);
        for (float s : y.sum(new int[] {-1}).toFloatArray()) {
            assertThat(s).isCloseTo(1f, within(1e-6f));
        }
    }
}
