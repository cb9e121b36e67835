package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * Sampling one-hot categoricals with few engine calls, for the inner loops (filtering,
 * imagination, acting). Every call of a DJL operation costs tens of microseconds here whatever the
 * size of the tensor, so the loops are dominated by the number of operations:
 *
 * <ul>
 *   <li>probabilities with unimix: {@code p = (1 - u) softmax(l) + u / K};</li>
 *   <li>a sample by inverse CDF, {@code k = #{j : cdf_j < U}}, {@code U ~ U(0, 1)}: four calls
 *       instead of the Gumbel-max trick's nine (its distribution is the same:
 *       {@code P(k) = cdf_k - cdf_{k-1} = p_k});</li>
 *   <li>the one-hot, and only where gradients are wanted the straight-through estimator
 *       {@code onehot + p - sg(p)}.</li>
 * </ul>
 *
 * Log-probabilities, entropies and KLs still come from the runtime's {@code OneHotCategorical}.
 */
final class Categorical {
    private Categorical() {}

    /** {@code (1 - u) softmax(logits) + u / K} over the last axis. */
    static NDArray probs(NDArray logits, float unimix) {
        NDArray soft = logits.softmax(-1);
        if (unimix <= 0) {
            return soft;
        }
        long k = logits.getShape().get(logits.getShape().dimension() - 1);
        return Scalars.mul(soft, 1 - unimix).add(unimix / k);
    }

    /** Class indices {@code [...]} (int64) sampled from {@code probs [..., K]}, without gradient. */
    static NDArray sampleIndices(NDArray probs) {
        Shape s = probs.getShape();
        long k = s.get(s.dimension() - 1);
        NDArray cdf = probs.stopGradient().cumSum(-1);
        NDArray u = probs.getManager().randomUniform(0f, 1f, s.slice(0, s.dimension() - 1).add(1), DataType.FLOAT32);
        return cdf.lt(u).sum(new int[] {-1}).clip(0, k - 1);
    }

    /**
     * A one-hot {@code [..., K]} from {@code probs}: sampled, or the most likely class; with the
     * straight-through gradient of {@code probs} when {@code straightThrough}.
     */
    static NDArray oneHot(NDArray probs, boolean sample, boolean straightThrough) {
        Shape s = probs.getShape();
        int k = Math.toIntExact(s.get(s.dimension() - 1));
        NDArray index = sample ? sampleIndices(probs) : probs.stopGradient().argMax(-1);
        NDArray onehot = index.oneHot(k, DataType.FLOAT32);
        return straightThrough ? onehot.add(probs).sub(probs.stopGradient()) : onehot;
    }
}
