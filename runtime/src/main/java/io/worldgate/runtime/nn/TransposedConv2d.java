package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D transposed convolution ("deconvolution") on NCHW inputs, with square kernel {@code k},
 * stride {@code s} and padding {@code p}: output size {@code (n - 1) s - 2p + k}.
 *
 * <p>DJL's PyTorch engine does not implement {@code deconvolution} (its
 * {@code Conv2dTranspose} block throws {@code UnsupportedOperationException}), so this block uses
 * the textbook equivalence: insert {@code s - 1} zeros between neighbouring input pixels, pad by
 * {@code k - 1 - p} and apply an ordinary stride-1 convolution. That computes the same family of
 * functions as a transposed convolution (the kernel is learned, so its flip does not matter) at
 * about {@code s²} times the multiply count of a native one.
 */
public final class TransposedConv2d extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int kernel;
    private final int stride;
    private final int padding;
    private final Conv2d conv;

    /**
     * @param filters output channels
     * @param kernel kernel size {@code k}
     * @param stride stride {@code s} >= 1
     * @param padding padding {@code p}, at most {@code k - 1}
     * @param bias whether to add a bias
     */
    public TransposedConv2d(int filters, int kernel, int stride, int padding, boolean bias) {
        super(VERSION);
        if (filters < 1 || kernel < 1 || stride < 1 || padding < 0 || padding > kernel - 1) {
            throw new IllegalArgumentException("need filters, kernel, stride >= 1 and 0 <= padding <= kernel - 1");
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        int pad = kernel - 1 - padding;
        this.conv = addChildBlock("conv", Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(1, 1))
                .optPadding(new Shape(pad, pad))
                .setFilters(filters)
                .optBias(bias)
                .build());
    }

    /** Output size of one spatial axis of size {@code n}. */
    public long outputSize(long n) {
        return (n - 1) * stride - 2L * padding + kernel;
    }

    /** Inserts {@code s - 1} zeros between neighbours along axes 2 and 3: {@code (n - 1) s + 1}. */
    private NDArray dilate(NDArray x) {
        if (stride == 1) {
            return x;
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDList cols = new NDList(stride);
        cols.add(x);
        NDArray zeros = x.zerosLike();
        for (int i = 1; i < stride; i++) {
            cols.add(zeros);
        }
        NDArray wide = NDArrays.stack(cols, 4).reshape(n, c, h, w * stride)
                .get(":, :, :, :{}", (w - 1) * stride + 1);
        NDList rows = new NDList(stride);
        rows.add(wide);
        NDArray zeroRows = wide.zerosLike();
        for (int i = 1; i < stride; i++) {
            rows.add(zeroRows);
        }
        return NDArrays.stack(rows, 3).reshape(n, c, h * stride, (w - 1) * stride + 1)
                .get(":, :, :{}, :", (h - 1) * stride + 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException("TransposedConv2d expects NCHW, got " + x.getShape());
        }
        return conv.forward(store, new NDList(dilate(x)), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        Shape dilated = new Shape(s.get(0), s.get(1), (s.get(2) - 1) * stride + 1, (s.get(3) - 1) * stride + 1);
        return conv.getOutputShapes(new Shape[] {dilated});
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        conv.initialize(manager, dataType,
                new Shape(s.get(0), s.get(1), (s.get(2) - 1) * stride + 1, (s.get(3) - 1) * stride + 1));
    }
}
