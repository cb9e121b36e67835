package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import io.worldgate.runtime.nn.internal.FusedActivations;

/**
 * Mish, {@code x tanh(ln(1 + e^x))} (Misra 2019), TD-MPC2's activation, computed as
 *
 * <pre>
 *   n = e^min(x, 20),   p = n (n + 2),   mish(x) = x p / (p + 2)
 * </pre>
 *
 * which is the same function: with {@code u = 1 + e^x}, {@code tanh(ln u) = (u² - 1) / (u² + 1)}
 * and {@code u² - 1 = n (n + 2)}. Above 20 the ratio is 1 in float32, so the clamp only keeps
 * {@code n²} finite; for very negative {@code x} it is {@code ≈ n}, without cancellation.
 *
 * <p>Why not libtorch's tanh and softplus: on the CPU (libtorch 2.7, one thread) they take about
 * 0.4 and 0.2 ms on a 512 x 384 batch against 0.12 ms for exp, so this form is about 2.5 times
 * faster forward and a little faster forward and backward (measured on this project's 2-core
 * machine). Why not DJL's {@code Activation.mish}: in DJL 0.35 it takes {@code log2} of
 * {@code 1 + e^x} where Mish takes the natural logarithm, a different function.
 */
public final class Mish extends AbstractBlock {
    private static final byte VERSION = 1;
    private static final float CLAMP = 20f;

    public Mish() {
        super(VERSION);
    }

    /**
     * {@code x tanh(ln(1 + e^x))}, elementwise, in {@code x}'s type: a bfloat16 {@code x} (a hidden
     * layer's activation under bfloat16 products) by libtorch's one kernel, which rounds once.
     */
    public static NDArray mish(NDArray x) {
        if (Bf16Kernels.isBf16(x)) {
            NDArray y = FusedActivations.mishBf16(x);
            if (y != null) {
                return y;
            }
        }
        NDArray clipped = x.clip(Float.NEGATIVE_INFINITY, CLAMP);
        NDArray n = clipped.exp();
        Intermediates.release(clipped, x);
        // additions of a number keep no operand for the backward pass (see Scalars)
        NDArray n2 = n.add(2f);
        NDArray p = n.mul(n2);
        Intermediates.release(n, x);
        Intermediates.release(n2, x);
        NDArray p2 = p.add(2f);
        NDArray ratio = p.div(p2);
        Intermediates.release(p, x);
        Intermediates.release(p2, x);
        NDArray y = x.mul(ratio);
        Intermediates.release(ratio, x, y);
        return y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(mish(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "Mish()";
    }
}
