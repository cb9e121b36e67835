package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.math.Symlog;
import io.worldgate.runtime.math.TwoHotBins;

/**
 * Discrete regression over bins in symlog space (DreamerV3's reward and critic heads, TD-MPC2's
 * reward and Q heads). The head outputs {@code logits [..., n]}, {@code p = softmax(logits)}:
 *
 * <pre>
 *   mean = symexp(Σ_i p_i b_i)
 *   log p(x) = Σ_i twohot(x)_i log p_i          (the loss is its negative)
 * </pre>
 *
 * where {@code twohot(x)} is {@link TwoHotBins#encode}. The gradient of the loss with respect to
 * {@code logits_i} is {@code p_i - twohot(x)_i}: probability mass moves towards the two bins
 * around {@code symlog(x)}.
 */
public final class SymexpTwoHot implements Distribution {
    private final NDArray logits;
    private final TwoHotBins bins;

    public SymexpTwoHot(NDArray logits, TwoHotBins bins) {
        long last = logits.getShape().get(logits.getShape().dimension() - 1);
        if (last != bins.count()) {
            throw new IllegalArgumentException("logits have " + last + " entries on the last axis, bins " + bins.count());
        }
        this.logits = logits;
        this.bins = bins;
    }

    public TwoHotBins bins() {
        return bins;
    }

    /** {@code softmax(logits)}. */
    public NDArray probs() {
        return logits.softmax(-1);
    }

    /** {@code symexp(Σ_i p_i b_i)}, the predicted value (differentiable). */
    public NDArray mean() {
        return bins.decode(probs());
    }

    /** The mean: regression heads are used through their expectation. */
    @Override
    public NDArray sample() {
        return mean();
    }

    @Override
    public NDArray mode() {
        return mean();
    }

    /**
     * {@code Σ_i twohot(x)_i log softmax(logits)_i}, with the target {@code x} treated as constant.
     * Only the two bins around {@code symlog(x)} have non-zero weight, so they are gathered from the
     * log-probabilities instead of multiplying by a {@code [..., n]} code: the same value with two
     * small gathers in place of several full-size arrays.
     */
    @Override
    public NDArray logProb(NDArray value) {
        NDArray logp = logits.logSoftmax(-1);
        TwoHotBins.Location at = bins.locate(Symlog.symlog(value.stopGradient()));
        NDArray k = at.index().expandDims(-1);
        NDArray below = logp.gather(k, -1).squeeze(-1);
        NDArray above = logp.gather(k.add(1), -1).squeeze(-1);
        NDArray w = at.upperWeight();
        return below.add(above.sub(below).mul(w));
    }

    /** {@code -logProb(x)}: the cross-entropy against the two-hot target. */
    public NDArray loss(NDArray value) {
        return logProb(value).neg();
    }
}
