package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * DreamerV3's image encoder: {@code stages} convolutions with 4x4 kernels and stride 2 (padding 1,
 * so each halves the resolution), channels {@code depth, 2 depth, 4 depth, ...}, each followed by
 * LayerNorm over channels and SiLU; the result is flattened. For 64x64 inputs, depth 32 and 4
 * stages: 64 -> 32 -> 16 -> 8 -> 4 pixels, 256 channels, 4096 features.
 *
 * <p>Input: channels-last images {@code [..., H, W, C]} (float; see {@link #preprocess} for uint8
 * pixels), any leading axes (e.g. {@code [B, T, 64, 64, 3]}). Output: {@code [..., F]} with
 * {@code F = depth 2^(stages-1) (H / 2^stages) (W / 2^stages)}.
 */
public final class ConvEncoder extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int depth;
    private final int stages;
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<LayerNorm> norms = new ArrayList<>();

    /**
     * @param depth channels of the first stage (32 in DreamerV3 small)
     * @param stages number of stride-2 stages (4 for 64x64 inputs)
     * @param epsilon LayerNorm epsilon
     */
    public ConvEncoder(int depth, int stages, float epsilon) {
        super(VERSION);
        if (depth < 1 || stages < 1) {
            throw new IllegalArgumentException("depth and stages must be positive");
        }
        this.depth = depth;
        this.stages = stages;
        for (int i = 0; i < stages; i++) {
            Conv2d conv = new AutocastBlocks.Conv2d(Conv2d.builder()
                    .setKernelShape(new Shape(4, 4))
                    .optStride(new Shape(2, 2))
                    .optPadding(new Shape(1, 1))
                    .setFilters(depth << i)
                    .optBias(false));
            convs.add(addChildBlock("conv" + i, conv));
            norms.add(addChildBlock("norm" + i, LayerNorm.overChannels(epsilon)));
        }
    }

    /** DreamerV3's encoder for 64x64 images: depth 32, 4 stages. */
    public static ConvEncoder dreamerV3(int depth) {
        return new ConvEncoder(depth, 4, 1e-3f);
    }

    public int depth() {
        return depth;
    }

    public int stages() {
        return stages;
    }

    /** uint8 pixels {@code [..., H, W, C]} to floats in [-0.5, 0.5]: {@code x / 255 - 0.5}. */
    public static NDArray preprocess(NDArray pixels) {
        NDArray floats = pixels.toType(DataType.FLOAT32, false);
        NDArray scaled = Scalars.div(floats, 255f);
        Intermediates.release(floats, pixels);
        NDArray centred = scaled.sub(0.5f);
        Intermediates.release(scaled, pixels);
        return centred;
    }

    /** Number of output features for an {@code H x W} input. */
    public long features(long height, long width) {
        checkDivisible(height, width);
        return ((long) depth << (stages - 1)) * (height >> stages) * (width >> stages);
    }

    private void checkDivisible(long height, long width) {
        long f = 1L << stages;
        if (height % f != 0 || width % f != 0) {
            throw new IllegalArgumentException("image " + height + "x" + width + " is not divisible by 2^" + stages);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        int d = s.dimension();
        if (d < 3) {
            throw new IllegalArgumentException("images must be [..., H, W, C], got " + s);
        }
        Shape lead = s.slice(0, d - 3);
        checkDivisible(s.get(d - 3), s.get(d - 2));
        NDArray images = x.reshape(-1, s.get(d - 3), s.get(d - 2), s.get(d - 1));
        NDArray h = images.transpose(0, 3, 1, 2);
        Intermediates.release(images, x);
        // each activation is released once the next layer has read it (see Intermediates)
        for (int i = 0; i < stages; i++) {
            h = Intermediates.next(h, convs.get(i).forward(store, new NDList(h), training).singletonOrThrow(), x);
            h = Intermediates.next(h, norms.get(i).forward(store, new NDList(h), training).singletonOrThrow(), x);
            h = Intermediates.next(h, Silu.silu(h), x);
        }
        return new NDList(Intermediates.next(h, h.reshape(lead.add(-1)), x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        int d = s.dimension();
        return new Shape[] {s.slice(0, d - 3).add(features(s.get(d - 3), s.get(d - 2)))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        int d = s.dimension();
        Shape shape = new Shape(1, s.get(d - 1), s.get(d - 3), s.get(d - 2));
        for (int i = 0; i < stages; i++) {
            convs.get(i).initialize(manager, dataType, shape);
            shape = convs.get(i).getOutputShapes(new Shape[] {shape})[0];
            norms.get(i).initialize(manager, dataType, shape);
        }
    }
}
