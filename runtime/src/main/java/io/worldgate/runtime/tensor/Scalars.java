package io.worldgate.runtime.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a number operand that is safe under autograd. Use these instead of DJL's
 * {@code mul(Number)}, {@code div(Number)}, {@code pow(Number)}, {@code maximum(Number)} and
 * {@code minimum(Number)} anywhere a gradient may flow.
 *
 * <p>Why: DJL's PyTorch engine (0.35) turns the number into a tensor over a Java direct buffer
 * ({@code torch::from_blob}, no copy), runs the operation and closes that tensor at once. The
 * backward pass of these five operations keeps the number's tensor, and once the buffer's Java
 * object is collected the memory is freed under it: a garbage collection between the forward and
 * the backward pass then turns gradients into garbage (huge or NaN), and which updates it hits
 * depends on the collector's timing. The scalars made here are allocated by libtorch
 * ({@code torch::full}), so the autograd graph keeps them alive by reference count after their
 * handle is closed. Addition and subtraction need no such care: their backward pass keeps no
 * operand.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * v}. */
    public static NDArray mul(NDArray x, float v) {
        return apply(x, v, NDArray::mul);
    }

    /** {@code x / v}. */
    public static NDArray div(NDArray x, float v) {
        return apply(x, v, NDArray::div);
    }

    /** {@code x ^ v}, elementwise. */
    public static NDArray pow(NDArray x, float v) {
        return apply(x, v, NDArray::pow);
    }

    /** {@code max(x, v)}, elementwise. */
    public static NDArray maximum(NDArray x, float v) {
        return apply(x, v, NDArray::maximum);
    }

    /** {@code min(x, v)}, elementwise. */
    public static NDArray minimum(NDArray x, float v) {
        return apply(x, v, NDArray::minimum);
    }

    /** {@code op(x, v)} with {@code v} as a libtorch-owned scalar, whose handle is closed after the op. */
    private static NDArray apply(NDArray x, float v, BinaryOperator<NDArray> op) {
        try (NDArray s = like(x, v)) {
            return op.apply(x, s);
        }
    }

    /**
     * A 0-d array holding {@code v} in memory libtorch owns: of {@code x}'s type when that is a
     * floating-point type, else float32 (as DJL's overloads do, so integers are promoted rather
     * than {@code v} truncated). It lives on the manager's device; libtorch combines a 0-d CPU
     * tensor with a tensor on any device.
     */
    private static NDArray like(NDArray x, float v) {
        DataType type = x.getDataType().isFloating() ? x.getDataType() : DataType.FLOAT32;
        return x.getManager().full(new Shape(), v, type);
    }
}
