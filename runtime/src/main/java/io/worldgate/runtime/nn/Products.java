package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import io.worldgate.runtime.nn.internal.Bf16Kernels;

/**
 * Matrix products and convolutions in the thread's {@link Autocast} precision: float32 by DJL's
 * operators, or in bfloat16 with the result widened back to float32 (a hidden layer's
 * {@link #hiddenLinear} leaves it in bfloat16). Every linear and convolutional
 * layer of the runtime ({@link AutocastBlocks}, {@link EnsembleMlp}, {@link TransposedConv2d})
 * computes here, so one setting reaches every agent's networks.
 */
public final class Products {
    /**
     * System property that turns bfloat16 hidden activations off ({@code false}): hidden products
     * then widen their results to float32 like every other, as before they existed (for timing one
     * against the other in one build).
     */
    public static final String BF16_ACTIVATIONS_PROPERTY = "worldgate.nn.bf16Activations";

    private static final boolean BF16_ACTIVATIONS =
            !"false".equalsIgnoreCase(System.getProperty(BF16_ACTIVATIONS_PROPERTY, "true"));

    private Products() {}

    /** Whether a hidden product of {@code x} leaves its result in bfloat16 (see {@link #hiddenLinear}). */
    private static boolean keepsBf16(NDArray x) {
        return BF16_ACTIVATIONS && Autocast.current() == Precision.BF16 && !x.getDevice().isGpu();
    }

    /** {@code x w^T + b} for {@code x [..., D]}, {@code w [O, D]}, {@code b [O]} or null. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        if (Autocast.current() == Precision.BF16) {
            NDArray y = Bf16Kernels.linear(x, Autocast.weight(w), b);
            if (y != null) {
                return y;
            }
        }
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    /**
     * {@code x w^T + b} for a hidden layer, whose result only a normalisation, an activation and
     * the next product read ({@code Linear -> LayerNorm -> activation -> Linear}): in bfloat16 the
     * result stays bfloat16, as under {@code torch.autocast}, so those read half the bytes and no
     * cast back to float32 is made; in float32 the same as {@link #linear}. Where a loss, a softmax
     * or a residual sum reads the result, use {@link #linear}. On a GPU the result is widened as by
     * {@link #linear}: CUDA's autocast runs layer norms in float32, and libtorch's CUDA layer norm
     * refuses a bfloat16 input with float32 parameters (the CPU's accepts it).
     */
    public static NDArray hiddenLinear(NDArray x, NDArray w, NDArray b) {
        if (keepsBf16(x)) {
            NDArray y = Bf16Kernels.hiddenLinear(x, Autocast.weight(w), b);
            if (y != null) {
                return y;
            }
        }
        return linear(x, w, b);
    }

    /** {@code a @ b}, batched and broadcast as {@code NDArray.matMul}. */
    public static NDArray matMul(NDArray a, NDArray b) {
        if (Autocast.current() == Precision.BF16) {
            NDArray y = Bf16Kernels.matMul(a, b);
            if (y != null) {
                return y;
            }
        }
        return a.matMul(b);
    }

    /**
     * {@code a @ b} like {@link #matMul} for a hidden layer whose result only a normalisation, an
     * activation and the next product read: under bfloat16 the result stays bfloat16
     * ({@link #hiddenLinear}).
     */
    public static NDArray hiddenMatMul(NDArray a, NDArray b) {
        if (keepsBf16(a)) {
            NDArray y = Bf16Kernels.hiddenMatMul(a, b);
            if (y != null) {
                return y;
            }
        }
        return matMul(a, b);
    }

    /**
     * A 2-d convolution of {@code x [N, C, H, W]} with {@code w [F, C / groups, kh, kw]} and
     * {@code b [F]} (or null), as {@code Conv2d.conv2d}.
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding, Shape dilation, int groups) {
        if (Autocast.current() == Precision.BF16) {
            NDArray y = Bf16Kernels.conv2d(x, w, b, stride, padding, dilation, groups);
            if (y != null) {
                return y;
            }
        }
        return Conv2d.conv2d(x, w, b, stride, padding, dilation, groups).singletonOrThrow();
    }
}
