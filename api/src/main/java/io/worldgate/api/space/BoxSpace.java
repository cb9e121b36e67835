package io.worldgate.api.space;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A bounded array: every element {@code i} lies in {@code [low[i], high[i]]}. Images are boxes of
 * uint8 {@code [H, W, C]} in {@code [0, 255]}; continuous actions are float32 boxes, usually in
 * {@code [-1, 1]}. A batch of N values has shape {@code [N, shape...]}.
 *
 * @param dtype element type
 * @param shape shape of one value
 * @param low lower bound per element (row-major), length = number of elements
 * @param high upper bound per element, length = number of elements
 */
public record BoxSpace(DType dtype, int[] shape, double[] low, double[] high) implements Space {
    public BoxSpace {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        low = low.clone();
        high = high.clone();
        long n = Tensor.numElements(shape);
        if (low.length != n || high.length != n) {
            throw new IllegalArgumentException("bounds must have one entry per element (" + n + ")");
        }
        for (int i = 0; i < n; i++) {
            if (low[i] > high[i]) {
                throw new IllegalArgumentException("low[" + i + "]=" + low[i] + " > high[" + i + "]=" + high[i]);
            }
        }
    }

    /** A box whose elements all share the bounds {@code [low, high]}. */
    public static BoxSpace uniform(DType dtype, double low, double high, int... shape) {
        int n = Math.toIntExact(Tensor.numElements(shape));
        double[] lo = new double[n];
        double[] hi = new double[n];
        Arrays.fill(lo, low);
        Arrays.fill(hi, high);
        return new BoxSpace(dtype, shape, lo, hi);
    }

    /** An RGB (channels 3) or gray (channels 1) image of uint8 pixels. */
    public static BoxSpace image(int height, int width, int channels) {
        return uniform(DType.UINT8, 0, 255, height, width, channels);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public double[] low() {
        return low.clone();
    }

    @Override
    public double[] high() {
        return high.clone();
    }

    public double low(int element) {
        return low[element];
    }

    public double high(int element) {
        return high[element];
    }

    public int numElements() {
        return low.length;
    }

    @Override
    public TensorSpec tensorSpec() {
        return new TensorSpec(dtype, shape);
    }

    /**
     * A bound as a value of this space's dtype holds it: a float32 box with the bound 0.3 holds
     * 0.3f (0.30000001...), as Gymnasium's float32 bounds do, and an action clipped to it is inside.
     */
    private double inDtype(double bound) {
        return dtype == DType.FLOAT32 ? (float) bound : bound;
    }

    @Override
    public Optional<String> validateBatch(Tensor batch, int batchSize) {
        if (batch.dtype() != dtype) {
            return Optional.of("expected " + dtype + ", got " + batch.dtype());
        }
        int[] expected = tensorSpec().batchShape(batchSize);
        if (!Arrays.equals(batch.shape(), expected)) {
            return Optional.of("expected shape " + Arrays.toString(expected) + ", got " + Arrays.toString(batch.shape()));
        }
        int per = low.length;
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < per; i++) {
                double v = batch.getDouble((long) b * per + i);
                if (Double.isNaN(v)) {
                    return Optional.of("entry " + b + " element " + i + " is NaN");
                }
                if (v < inDtype(low[i]) || v > inDtype(high[i])) {
                    return Optional.of("entry " + b + " element " + i + " is " + v + ", outside [" + low[i] + ", " + high[i] + "]");
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoxSpace b && dtype == b.dtype && Arrays.equals(shape, b.shape)
                && Arrays.equals(low, b.low) && Arrays.equals(high, b.high);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(low), Arrays.hashCode(high));
    }

    @Override
    public String toString() {
        return "Box(" + dtype + " " + Arrays.toString(shape) + ")";
    }
}
