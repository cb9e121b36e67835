package io.worldgate.runtime.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Clipping by the global norm of all gradients, {@code ||g|| = sqrt(Σ_params Σ_i g_i²)}: when it
 * exceeds {@code c}, every gradient is multiplied by {@code c / ||g||}, which keeps the update's
 * direction (unlike clipping each value or each tensor). DreamerV3 clips the world model at 1000
 * and actor and critic at 100. The gradients are changed in place.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** {@code sqrt(Σ g²)} over the gradients of {@code params}; NaN or infinite when one is. */
    public static float globalNorm(List<Parameter> params) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return globalNormOf(gradients(params));
        }
    }

    /**
     * Scales the gradients of {@code params} by {@code maxNorm / ||g||} if {@code ||g|| > maxNorm}.
     *
     * @return the norm before clipping
     */
    public static float clipByGlobalNorm(List<Parameter> params, float maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, not " + maxNorm);
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = gradients(params);
            float norm = globalNormOf(grads);
            if (Float.isFinite(norm) && norm > maxNorm) {
                float scale = maxNorm / norm;
                for (NDArray g : grads) {
                    g.muli(scale);
                }
            }
            return norm;
        }
    }

    /**
     * Handles on the gradients of {@code params} (created in the parameters' manager: call inside an
     * {@link NDScope} or close them).
     */
    static List<NDArray> gradients(List<Parameter> params) {
        List<NDArray> grads = new ArrayList<>(params.size());
        for (Parameter p : params) {
            grads.add(p.getArray().getGradient());
        }
        return grads;
    }

    /** The global norm of {@code grads}, computed with one device-to-host copy. */
    static float globalNormOf(List<NDArray> grads) {
        if (grads.isEmpty()) {
            return 0f;
        }
        // ||g|| = || (||g_1||, ..., ||g_n||) ||: one norm per tensor, then the norm of the norms
        NDList norms = new NDList(grads.size());
        for (NDArray g : grads) {
            norms.add(g.getDataType() == DataType.FLOAT32 ? g.norm() : g.toType(DataType.FLOAT32, false).norm());
        }
        float norm = NDArrays.stack(norms).norm().getFloat();
        if (Float.isInfinite(norm)) {
            // squares of finite float32 values above ~1.8e19 overflow: only float64 tells such a
            // gradient, which clipping can still use, from one that holds an infinity
            norms.close();
            NDList wide = new NDList(grads.size());
            for (NDArray g : grads) {
                wide.add(g.toType(DataType.FLOAT64, false).norm());
            }
            double exact = NDArrays.stack(wide).norm().getDouble();
            norm = Double.isInfinite(exact) ? Float.POSITIVE_INFINITY : (float) Math.min(exact, Float.MAX_VALUE);
        }
        return norm;
    }
}
