package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.nn.ConvEncoder;
import io.worldgate.runtime.nn.AutocastBlocks;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.SimNorm;
import java.util.SplittableRandom;

/**
 * TD-MPC2's pixel encoder: pixels scaled to [-0.5, 0.5], four convolutions ({@code k} channels,
 * kernels 7, 5, 3, 3 with strides 2, 2, 2, 1, ReLU between them), flattened, then SimNorm. For
 * 64x64 images and 32 channels the flattened size is 512, TD-MPC2's latent size; where it differs
 * from {@code latent_dim} a linear map to {@code latent_dim} is inserted before SimNorm.
 *
 * <p>In training, each image is shifted first ({@link ShiftAugmentation}, up to {@value #SHIFT_PAD}
 * pixels).
 */
final class ImageEncoder extends AbstractBlock {
    private static final byte VERSION = 1;
    static final int SHIFT_PAD = 3;
    private static final int[] KERNELS = {7, 5, 3, 3};
    private static final int[] STRIDES = {2, 2, 2, 1};

    private final Conv2d[] convs = new Conv2d[4];
    private final int latentDim;
    private final int simNormGroup;
    private Linear projection;
    private SplittableRandom shifts;

    ImageEncoder(int channels, int latentDim, int simNormGroup) {
        super(VERSION);
        for (int i = 0; i < 4; i++) {
            convs[i] = addChildBlock("conv" + i, new AutocastBlocks.Conv2d(Conv2d.builder().setFilters(channels)
                    .setKernelShape(new Shape(KERNELS[i], KERNELS[i])).optStride(new Shape(STRIDES[i], STRIDES[i]))));
        }
        this.latentDim = latentDim;
        this.simNormGroup = simNormGroup;
    }

    /** Flattened convolution features for an {@code H x W} image. */
    static long convFeatures(int channels, long height, long width) {
        long h = height;
        long w = width;
        for (int i = 0; i < 4; i++) {
            h = (h - KERNELS[i]) / STRIDES[i] + 1;
            w = (w - KERNELS[i]) / STRIDES[i] + 1;
        }
        if (h < 1 || w < 1) {
            throw new io.worldgate.api.agent.AgentException("tdmpc2's image encoder needs images of at least 39x39 (kernels 7, 5, 3, 3 at strides 2, 2, 2, 1)");
        }
        return channels * h * w;
    }

    /** Draws the training shifts from {@code rng}. */
    void shiftRandomness(SplittableRandom rng) {
        this.shifts = rng;
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        Shape x = new Shape(1, s.get(s.dimension() - 1), s.get(s.dimension() - 3), s.get(s.dimension() - 2));
        for (Conv2d conv : convs) {
            conv.initialize(manager, dataType, x);
            x = conv.getOutputShapes(new Shape[] {x})[0];
        }
        long features = x.size() / x.get(0);
        if (features != latentDim) {
            projection = addChildBlock("projection", Heads.linear(latentDim, true));
            projection.setInitializer(new ai.djl.training.initializer.NormalInitializer(0.02f),
                    ai.djl.nn.Parameter.Type.WEIGHT);
            projection.initialize(manager, dataType, new Shape(1, features));
        }
    }

    /** The convolutions (for an initializer of their own). */
    Block[] layers() {
        return convs.clone();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray pixels = inputs.singletonOrThrow();
        Shape s = pixels.getShape();
        int d = s.dimension();
        Shape lead = s.slice(0, d - 3);
        NDArray images = pixels.reshape(-1, s.get(d - 3), s.get(d - 2), s.get(d - 1));
        if (training && shifts != null) {
            // on the raw pixels, before they are widened to floats: a quarter of the bytes to move
            images = ShiftAugmentation.apply(images, SHIFT_PAD, shifts);
        }
        NDArray h = ConvEncoder.preprocess(images).transpose(0, 3, 1, 2);
        for (int i = 0; i < convs.length; i++) {
            h = convs[i].forward(store, new NDList(h), training).singletonOrThrow();
            if (i < convs.length - 1) {
                h = Activation.relu(h);
            }
        }
        h = h.reshape(h.getShape().get(0), -1);
        if (projection != null) {
            h = projection.forward(store, new NDList(h), training).singletonOrThrow();
        }
        return new NDList(SimNorm.simNorm(h, simNormGroup).reshape(lead.add(latentDim)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 3).add(latentDim)};
    }
}
