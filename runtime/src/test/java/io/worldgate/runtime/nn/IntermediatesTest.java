package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.GradientScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The blocks release their forward intermediates as soon as they are read ({@link Intermediates}):
 * after a forward pass with gradients only the inputs and the output remain in the caller's
 * manager, and the gradients of the parameters and the input are those of the same layers composed
 * without any early release (libtorch's graph keeps what the backward pass reads), also when the
 * freed memory is reused and overwritten between the forward and the backward pass.
 */
class IntermediatesTest {
    private static NDManager model;
    private static ParameterStore store;

    @BeforeAll
    static void open() {
        model = NDManager.newBaseManager();
        store = new ParameterStore(model, false);
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void forwardLeavesOnlyInputsAndOutputInTheCallersManager() {
        Mlp mlp = Mlp.builder().units(16).layers(2).outputs(5).build();
        mlp.initialize(model, DataType.FLOAT32, new Shape(1, 6));
        assertThat(arraysLeft(mlp, new Shape(3, 4, 6))).as("Mlp on [B, T, D]").isEqualTo(2);
        assertThat(arraysLeft(mlp, new Shape(3, 6))).as("Mlp on [N, D]").isEqualTo(2);

        ConvEncoder enc = new ConvEncoder(4, 2, 1e-3f);
        enc.initialize(model, DataType.FLOAT32, new Shape(1, 8, 8, 3));
        assertThat(arraysLeft(enc, new Shape(2, 3, 8, 8, 3))).as("ConvEncoder").isEqualTo(2);

        ConvDecoder dec = new ConvDecoder(4, 2, 8, 8, 3, 1e-3f);
        dec.initialize(model, DataType.FLOAT32, new Shape(1, 10));
        assertThat(arraysLeft(dec, new Shape(2, 3, 10))).as("ConvDecoder").isEqualTo(2);

        LayerNorm norm = LayerNorm.overChannels(1e-3f);
        norm.initialize(model, DataType.FLOAT32, new Shape(2, 5, 4, 4));
        assertThat(arraysLeft(norm, new Shape(2, 5, 4, 4))).as("LayerNorm over channels").isEqualTo(2);

        assertThat(arraysLeft(new Silu(), new Shape(4, 7))).as("Silu").isEqualTo(2);
        assertThat(arraysLeft(new Mish(), new Shape(4, 7))).as("Mish").isEqualTo(2);

        GruCell cell = GruCell.dreamer(8);
        cell.initialize(model, DataType.FLOAT32, new Shape(3, 5), new Shape(3, 8));
        try (NDManager update = model.newSubManager(); GradientScope tape = GradientScope.open()) {
            NDArray x = update.randomNormal(new Shape(3, 5));
            NDArray h = update.randomNormal(new Shape(3, 8));
            x.setRequiresGradient(true);
            NDArray next = cell.forward(store, new NDList(x, h), true).singletonOrThrow();
            assertThat(tensors(update)).as("GruCell: x, h and h_t").isEqualTo(3);
            tape.backward(next.sum());
            zeroGradients(cell);
        }
    }

    @Test
    void mlpGradientsEqualTheLayersComposedWithoutRelease() {
        Mlp mlp = Mlp.builder().units(32).layers(2).outputs(7).build();
        mlp.initialize(model, DataType.FLOAT32, new Shape(1, 12));
        assertSameGradients(mlp, new Shape(4, 5, 12), x -> {
            NDArray h = x.reshape(-1, 12);
            for (Block layer : mlp.getChildren().values()) {
                h = layer instanceof Silu ? h.mul(Activation.sigmoid(h)) : layer.forward(store, new NDList(h), true).singletonOrThrow();
            }
            return h.reshape(4, 5, 7);
        });
    }

    @Test
    void convEncoderAndDecoderGradientsEqualTheLayersComposedWithoutRelease() {
        ConvEncoder enc = new ConvEncoder(4, 2, 1e-3f);
        enc.initialize(model, DataType.FLOAT32, new Shape(1, 16, 16, 3));
        assertSameGradients(enc, new Shape(2, 3, 16, 16, 3), x -> {
            NDArray h = x.reshape(-1, 16, 16, 3).transpose(0, 3, 1, 2);
            for (int i = 0; i < 2; i++) {
                Block conv = child(enc, "conv" + i);
                NDArray w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), true);
                h = Conv2d.conv2d(h, w, null, new Shape(2, 2), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
                h = channelNorm(child(enc, "norm" + i), h);
                h = h.mul(Activation.sigmoid(h));
            }
            return h.reshape(2, 3, -1);
        });

        ConvDecoder dec = new ConvDecoder(4, 2, 16, 16, 3, 1e-3f);
        dec.initialize(model, DataType.FLOAT32, new Shape(1, 20));
        assertSameGradients(dec, new Shape(2, 3, 20), x -> {
            NDArray h = child(dec, "in").forward(store, new NDList(x), true).singletonOrThrow().reshape(-1, 8, 4, 4);
            for (int i = 0; i < 2; i++) {
                h = child(dec, "deconv" + i).forward(store, new NDList(h), true).singletonOrThrow();
                if (i == 0) {
                    h = channelNorm(child(dec, "norm" + i), h);
                    h = h.mul(Activation.sigmoid(h));
                }
            }
            return h.transpose(0, 2, 3, 1).reshape(2, 3, 16, 16, 3);
        });
    }

    @Test
    void gruCellGradientsEqualTheEquationsComposedWithoutRelease() {
        GruCell cell = GruCell.dreamer(8);
        cell.initialize(model, DataType.FLOAT32, new Shape(3, 5), new Shape(3, 8));
        NDArray state = model.randomNormal(new Shape(3, 8));
        Function<NDArray, NDArray> viaBlock = x -> cell.forward(store, new NDList(x, state), true).singletonOrThrow();
        Function<NDArray, NDArray> byHand = x -> {
            NDArray parts = child(cell, "gates").forward(store, new NDList(x.concat(state, -1)), true)
                    .singletonOrThrow();
            parts = child(cell, "norm").forward(store, new NDList(parts), true).singletonOrThrow();
            NDList split = parts.split(3, 1);
            NDArray reset = Activation.sigmoid(split.get(0));
            NDArray candidate = reset.mul(split.get(1)).tanh();
            NDArray update = Activation.sigmoid(split.get(2).add(-1f));
            return update.mul(candidate.sub(state)).add(state);
        };
        assertSameGradients(cell, new Shape(3, 5), viaBlock, byHand);
    }

    /** The child block of {@code parent} named {@code name} (DJL prefixes the names with their index). */
    private static Block child(Block parent, String name) {
        return parent.getChildren().stream().filter(p -> p.getKey().replaceFirst("^[0-9]+", "").equals(name))
                .findFirst().orElseThrow().getValue();
    }

    /** LayerNorm over the channels of NCHW {@code x} with {@code norm}'s parameters, composed by hand. */
    private static NDArray channelNorm(Block norm, NDArray x) {
        NDArray g = store.getValue(norm.getParameters().get("gamma"), x.getDevice(), true);
        NDArray b = store.getValue(norm.getParameters().get("beta"), x.getDevice(), true);
        return ai.djl.nn.norm.LayerNorm.layerNorm(x.transpose(0, 2, 3, 1), new Shape(g.getShape().get(0)), g, b, 1e-3f)
                .singletonOrThrow().transpose(0, 3, 1, 2);
    }

    /**
     * Arrays of more than one element left in a fresh manager after a forward pass with gradients of
     * {@code block} on one input (DJL's {@code clip} leaves its two bounds behind as 0-d arrays).
     */
    private static int arraysLeft(Block block, Shape input) {
        try (NDManager update = model.newSubManager(); GradientScope tape = GradientScope.open()) {
            NDArray x = update.randomNormal(input);
            x.setRequiresGradient(true);
            NDArray y = block.forward(store, new NDList(x), true).singletonOrThrow();
            int left = tensors(update);
            tape.backward(y.sum());
            zeroGradients(block);
            return left;
        }
    }

    private static int tensors(NDManager manager) {
        return (int) manager.getManagedArrays().stream().filter(a -> a.size() > 1).count();
    }

    private static void assertSameGradients(Block block, Shape input, Function<NDArray, NDArray> byHand) {
        assertSameGradients(block, input, x -> block.forward(store, new NDList(x), true).singletonOrThrow(), byHand);
    }

    /**
     * Runs forward and backward of {@code a} and of {@code b} on the same input, with the same
     * weighted sum as loss, and compares the input's and every parameter's gradient. Between the
     * forward and the backward pass of {@code a}, memory of the freed intermediates' sizes is taken
     * and overwritten, so that a backward pass reading freed memory would show.
     */
    private static void assertSameGradients(Block block, Shape input, Function<NDArray, NDArray> a,
            Function<NDArray, NDArray> b) {
        try (NDManager update = model.newSubManager()) {
            NDArray x = update.randomNormal(input);
            List<float[]> released = gradients(block, x, a, true);
            List<float[]> composed = gradients(block, x, b, false);
            assertThat(released).hasSameSizeAs(composed);
            for (int i = 0; i < composed.size(); i++) {
                float[] want = composed.get(i);
                float[] got = released.get(i);
                assertThat(got).as("gradient %d", i).hasSameSizeAs(want);
                float scale = 0;
                for (float v : want) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertThat(scale).as("gradient %d is not all zero", i).isPositive();
                for (int j = 0; j < want.length; j++) {
                    assertThat(got[j]).as("gradient %d [%d]", i, j).isCloseTo(want[j], within(1e-5f * Math.max(1, scale)));
                }
            }
        }
    }

    private static List<float[]> gradients(Block block, NDArray input, Function<NDArray, NDArray> f, boolean scribble) {
        try (NDManager pass = input.getManager().newSubManager()) {
            NDArray x = input.duplicate();
            x.attach(pass);
            x.setRequiresGradient(true);
            try (GradientScope tape = GradientScope.open()) {
                NDArray y = f.apply(x);
                NDArray weights = pass.arange((float) y.size()).reshape(y.getShape()).sin();
                if (scribble) {
                    overwriteFreedMemory(y.getShape().size() * 16);
                }
                tape.backward(y.mul(weights).sum());
            }
            List<float[]> out = new ArrayList<>();
            out.add(x.getGradient().toFloatArray());
            for (Parameter p : block.getParameters().values()) {
                out.add(p.getArray().getGradient().toFloatArray());
            }
            zeroGradients(block);
            return out;
        }
    }

    /** Allocates arrays of many sizes up to {@code elements} floats and fills them with NaN. */
    private static void overwriteFreedMemory(long elements) {
        try (NDManager junk = model.newSubManager()) {
            for (long n = 16; n <= elements; n *= 2) {
                for (int i = 0; i < 4; i++) {
                    junk.full(new Shape(n), Float.NaN);
                }
            }
        }
    }

    private static void zeroGradients(Block block) {
        for (Parameter p : block.getParameters().values()) {
            try (NDArray g = p.getArray().getGradient()) {
                g.muli(0f);
            }
        }
    }
}
