package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The mirror of {@link ConvEncoder}: a linear layer maps features to a
 * {@code depth 2^(stages-1)}-channel image of {@code (H / 2^stages) x (W / 2^stages)} pixels,
 * then {@code stages} transposed convolutions (4x4, stride 2, padding 1: each doubles the
 * resolution; see {@link TransposedConv2d}) halve the channels, each but the last followed by LayerNorm over channels and SiLU;
 * the last outputs {@code channels} channels. For depth 32, 4 stages, 64x64x3: 4096 -> 256x4x4
 * -> 128x8x8 -> 64x16x16 -> 32x32x32 -> 3x64x64.
 *
 * <p>Input {@code [..., F]}; output channels-last {@code [..., H, W, C]}, in the encoder's input
 * space ({@code x / 255 - 0.5} for pixels): the mean of the image distribution.
 */
public final class ConvDecoder extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int depth;
    private final int stages;
    private final int height;
    private final int width;
    private final int channels;
    private final Linear in;
    private final List<TransposedConv2d> deconvs = new ArrayList<>();
    private final List<LayerNorm> norms = new ArrayList<>();

    /**
     * @param depth channels of the encoder's first stage
     * @param stages number of stride-2 stages
     * @param height output height, divisible by {@code 2^stages}
     * @param width output width, divisible by {@code 2^stages}
     * @param channels output channels (3 for RGB)
     * @param epsilon LayerNorm epsilon
     */
    public ConvDecoder(int depth, int stages, int height, int width, int channels, float epsilon) {
        super(VERSION);
        if (depth < 1 || stages < 1 || channels < 1) {
            throw new IllegalArgumentException("depth, stages and channels must be positive");
        }
        int f = 1 << stages;
        if (height % f != 0 || width % f != 0) {
            throw new IllegalArgumentException("image " + height + "x" + width + " is not divisible by 2^" + stages);
        }
        this.depth = depth;
        this.stages = stages;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.in = addChildBlock("in", Heads.linear(topChannels() * (height / f) * (width / f), true));
        for (int i = 0; i < stages; i++) {
            boolean last = i == stages - 1;
            int filters = last ? channels : depth << (stages - 2 - i);
            deconvs.add(addChildBlock("deconv" + i, new TransposedConv2d(filters, 4, 2, 1, last)));
            if (!last) {
                norms.add(addChildBlock("norm" + i, LayerNorm.overChannels(epsilon)));
            }
        }
    }

    /** DreamerV3's decoder for 64x64 RGB images: 4 stages. */
    public static ConvDecoder dreamerV3(int depth) {
        return new ConvDecoder(depth, 4, 64, 64, 3, 1e-3f);
    }

    private long topChannels() {
        return (long) depth << (stages - 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        Shape lead = s.slice(0, s.dimension() - 1);
        int f = 1 << stages;
        NDArray h = in.forward(store, new NDList(x), training).singletonOrThrow();
        // each activation is released once the next layer has read it (see Intermediates)
        h = Intermediates.next(h, h.reshape(-1, topChannels(), height / f, width / f), x);
        for (int i = 0; i < stages; i++) {
            h = Intermediates.next(h, deconvs.get(i).forward(store, new NDList(h), training).singletonOrThrow(), x);
            if (i < stages - 1) {
                h = Intermediates.next(h, norms.get(i).forward(store, new NDList(h), training).singletonOrThrow(), x);
                h = Intermediates.next(h, Silu.silu(h), x);
            }
        }
        h = Intermediates.next(h, h.transpose(0, 2, 3, 1), x);
        return new NDList(Intermediates.next(h, h.reshape(lead.addAll(new Shape(height, width, channels))), x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).addAll(new Shape(height, width, channels))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        in.initialize(manager, dataType, new Shape(1, s.get(s.dimension() - 1)));
        int f = 1 << stages;
        Shape shape = new Shape(1, topChannels(), height / f, width / f);
        for (int i = 0; i < stages; i++) {
            deconvs.get(i).initialize(manager, dataType, shape);
            shape = deconvs.get(i).getOutputShapes(new Shape[] {shape})[0];
            if (i < stages - 1) {
                norms.get(i).initialize(manager, dataType, shape);
            }
        }
    }
}
