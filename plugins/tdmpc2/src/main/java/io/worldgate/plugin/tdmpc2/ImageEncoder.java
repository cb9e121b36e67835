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
 * <p>In training, a random shift of up to {@code ±pad} pixels with edge padding (DrQ's augmentation,
 * which TD-MPC2 applies to pixel inputs) is drawn per image.
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
        NDArray h = ConvEncoder.preprocess(pixels.reshape(-1, s.get(d - 3), s.get(d - 2), s.get(d - 1)))
                .transpose(0, 3, 1, 2);
        if (training && shifts != null) {
            h = randomShift(h, SHIFT_PAD, shifts);
        }
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

    /**
     * Shifts each image of {@code x [N, C, H, W]} by whole pixels, {@code (dy, dx)} drawn uniformly
     * from {@code [-pad, pad]}, filling with the nearest edge pixel.
     */
    static NDArray randomShift(NDArray x, int pad, SplittableRandom rng) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long height = s.get(2);
        long width = s.get(3);
        NDArray padded = edgePad(edgePad(x, 2, pad), 3, pad);
        long[] dy = new long[(int) n];
        long[] dx = new long[(int) n];
        for (int i = 0; i < n; i++) {
            dy[i] = rng.nextInt(2 * pad + 1);
            dx[i] = rng.nextInt(2 * pad + 1);
        }
        NDManager m = x.getManager();
        NDArray rows = m.arange(height).toType(DataType.INT64, false).reshape(1, 1, height, 1)
                .add(m.create(dy).reshape(n, 1, 1, 1)).broadcast(new Shape(n, c, height, width + 2L * pad));
        NDArray cropped = padded.gather(rows, 2);
        NDArray cols = m.arange(width).toType(DataType.INT64, false).reshape(1, 1, 1, width)
                .add(m.create(dx).reshape(n, 1, 1, 1)).broadcast(new Shape(n, c, height, width));
        return cropped.gather(cols, 3);
    }

    private static NDArray edgePad(NDArray x, int axis, int pad) {
        long size = x.getShape().get(axis);
        String first = axis == 2 ? ":, :, 0:1" : ":, :, :, 0:1";
        String last = axis == 2 ? ":, :, " + (size - 1) + ":" : ":, :, :, " + (size - 1) + ":";
        return x.get(first).repeat(axis, pad).concat(x, axis).concat(x.get(last).repeat(axis, pad), axis);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 3).add(latentDim)};
    }
}
