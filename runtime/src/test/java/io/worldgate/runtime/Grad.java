package io.worldgate.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.optim.GradientScope;
import java.util.function.Function;

/** Test helper: gradients of scalar functions of one leaf array. */
public final class Grad {
    private Grad() {}

    /** A leaf array holding {@code values} that records gradients. */
    public static NDArray leaf(NDManager m, float... values) {
        NDArray a = m.create(values);
        a.setRequiresGradient(true);
        return a;
    }

    /** d f(x) / dx where f is summed to a scalar; x is a fresh leaf with {@code values}. */
    public static float[] of(NDManager m, Function<NDArray, NDArray> f, float... values) {
        NDArray x = leaf(m, values);
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(f.apply(x).sum());
        }
        return x.getGradient().toFloatArray();
    }
}
