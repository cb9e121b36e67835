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
import io.worldgate.runtime.nn.internal.NativeTransposedConv;

/**
 * A 2-D transposed convolution ("deconvolution") on NCHW inputs, with square kernel {@code k},
 * stride {@code s} and padding {@code p}: output size {@code (n - 1) s - 2p + k}.
 *
 * <p>DJL's PyTorch engine does not implement {@code deconvolution} (its
 * {@code Conv2dTranspose} block throws {@code UnsupportedOperationException}). The block is defined
 * by the textbook equivalence: insert {@code s - 1} zeros between neighbouring input pixels, pad by
 * {@code k - 1 - p} and apply an ordinary stride-1 convolution with the block's {@code k x k}
 * kernel {@code w} (learned, so its flip does not matter):
 *
 * <pre>
 *   y[o] = Σ_u x̃[o + u - P] w[u],   x̃[m] = x[m / s] where s divides m, else 0,   P = k - 1 - p
 * </pre>
 *
 * <p>Computed that way, {@code (s² - 1) / s²} of the multiplications are by inserted zeros. When
 * the output size is a multiple of {@code s} and {@code s} divides {@code k} (DreamerV3's decoder:
 * {@code k = 4, s = 2, p = 1}), the block computes the same {@code y} by <em>phases</em> instead:
 * output pixel {@code o = s i + r} only meets taps {@code u ≡ P - r (mod s)}, which read input
 * pixels {@code i + (r + u - P) / s}, so each of the {@code s²} output phases is an ordinary
 * stride-1 convolution of the undilated input with a {@code (k/s) x (k/s)} slice of {@code w}, and
 * the phases are interleaved. Same parameters and outputs, {@code s²} times fewer multiplications,
 * and no zero-stuffed intermediate arrays (which at 1024 64x64 images took gigabytes).
 *
 * <p>On libtorch, neither is used: the block runs libtorch's own {@code conv_transpose2d} with the
 * same kernel flipped and transposed into its layout ({@link NativeTransposedConv}), about twice as
 * fast as the phases forward and backward on a CPU, channels-last out. The phases remain for other
 * engines and with {@code -Dworldgate.nn.nativeTransposedConv=false}.
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
        NDArray fast = forwardNative(store, x, training);
        if (fast != null) {
            return new NDList(fast);
        }
        if (byPhases(x.getShape().get(2)) && byPhases(x.getShape().get(3))) {
            return new NDList(forwardByPhases(store, x, training));
        }
        return forwardByDilation(store, x, training);
    }

    /** libtorch's transposed convolution with this block's kernel; null where it is not available. */
    NDArray forwardNative(ParameterStore store, NDArray x, boolean training) {
        NDArray weight = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
        NDArray bias = conv.getParameters().contains("bias")
                ? store.getValue(conv.getParameters().get("bias"), x.getDevice(), training)
                : null;
        return NativeTransposedConv.apply(x, weight, bias, stride, padding, Autocast.current() == Precision.BF16);
    }

    /** Whether an axis of {@code n} input pixels can be computed by phases. */
    private boolean byPhases(long n) {
        return stride > 1 && kernel % stride == 0 && outputSize(n) % stride == 0;
    }

    /** The definition: a stride-1 convolution of the zero-dilated input. */
    NDList forwardByDilation(ParameterStore store, NDArray x, boolean training) {
        return conv.forward(store, new NDList(dilate(x)), training);
    }

    /** The same output, one stride-1 convolution per output phase (see the class comment). */
    NDArray forwardByPhases(ParameterStore store, NDArray x, boolean training) {
        Shape s = x.getShape();
        long h = s.get(2);
        long w = s.get(3);
        int big = kernel - 1 - padding;
        int taps = kernel / stride;
        long lh = outputSize(h) / stride;
        long lw = outputSize(w) / stride;
        int[] first = new int[stride];
        int[] offset = new int[stride];
        int pad = 0;
        for (int r = 0; r < stride; r++) {
            first[r] = Math.floorMod(big - r, stride);
            offset[r] = Math.floorDiv(r + first[r] - big, stride);
            pad = Math.max(pad, -offset[r]);
            pad = (int) Math.max(pad, offset[r] + lh + taps - 1 - h);
            pad = (int) Math.max(pad, offset[r] + lw + taps - 1 - w);
        }
        NDArray weight = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
        NDArray bias = conv.getParameters().contains("bias")
                ? store.getValue(conv.getParameters().get("bias"), x.getDevice(), training)
                : null;
        // 0 + w and 0 + b: copies in the input's manager that pass gradients to the parameters, so that
        // the slices below do not attach to the parameters' manager
        NDManager m = x.getManager();
        NDArray kernelCopy = copyIn(m, weight);
        NDArray biasCopy = bias == null ? null : copyIn(m, bias);
        // the phases and their interleavings are dead once the output exists (backward keeps what it
        // needs itself): closed here, not when the update ends, they take no memory in the rest of it
        NDList temporaries = new NDList(kernelCopy);
        if (biasCopy != null) {
            temporaries.add(biasCopy);
        }
        Shape one = new Shape(1, 1);
        long filters = weight.getShape().get(0);
        // the phases are interleaved channels-last ([N, H, W, C] in memory, returned as an NCHW view),
        // the layout libtorch's convolutions produce from channels-last inputs: the channel layer norm
        // that follows then reads it without a copy forward and backward, and so does the next layer
        NDList rows = new NDList(stride);
        for (int ra = 0; ra < stride; ra++) {
            NDList cols = new NDList(stride);
            for (int rb = 0; rb < stride; rb++) {
                NDArray k = kernelCopy.get(":, :, {}::{}, {}::{}", first[ra], stride, first[rb], stride);
                NDArray y = Products.conv2d(x, k, biasCopy, one, new Shape(pad, pad), one, 1);
                NDArray window = y.get(":, :, {}:{}, {}:{}", offset[ra] + pad, offset[ra] + pad + lh, offset[rb] + pad,
                        offset[rb] + pad + lw);
                temporaries.add(k);
                temporaries.add(y);
                temporaries.add(window);
                cols.add(window.transpose(0, 2, 3, 1));
            }
            temporaries.addAll(cols);
            // interleave columns: [N, lh, lw, s, C] -> [N, lh, lw s, C]
            NDArray stacked = NDArrays.stack(cols, 3);
            temporaries.add(stacked);
            rows.add(stacked.reshape(s.get(0), lh, lw * stride, filters));
        }
        temporaries.addAll(rows);
        // interleave rows: [N, lh, s, lw s, C] -> [N, lh s, lw s, C]
        NDArray stacked = NDArrays.stack(rows, 2);
        NDArray channelsLast = stacked.reshape(s.get(0), lh * stride, lw * stride, filters);
        temporaries.add(stacked);
        temporaries.add(channelsLast);
        NDArray out = channelsLast.transpose(0, 3, 1, 2);
        temporaries.close();
        return out;
    }

    /** {@code 0 + p} in {@code m}; the zeros are freed at once (addition keeps no operand for backward). */
    private static NDArray copyIn(NDManager m, NDArray p) {
        try (NDArray zeros = m.zeros(p.getShape(), p.getDataType(), p.getDevice())) {
            return zeros.add(p);
        }
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
