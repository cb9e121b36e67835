package io.worldgate.api.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The element type and per-environment shape of a tensor (no batch dimension).
 *
 * @param dtype element type
 * @param shape dimensions of one environment's value, for example {@code [64, 64, 3]}
 */
public record TensorSpec(DType dtype, int[] shape) {
    public TensorSpec {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The shape of a batch of {@code n} such values: {@code [n, shape...]}. */
    public int[] batchShape(int n) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    public long numElements() {
        return Tensor.numElements(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec other && dtype == other.dtype && Arrays.equals(shape, other.shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
