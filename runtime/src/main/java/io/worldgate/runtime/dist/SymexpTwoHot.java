package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.math.SymexpBins;
import io.worldgate.runtime.math.TwoHot;
import io.worldgate.runtime.math.TwoHotBins;

/**
 * Discrete regression over bins (DreamerV3's reward and critic heads, TD-MPC2's reward and Q
 * heads). The head outputs {@code logits [..., n]}, {@code p = softmax(logits)}:
 *
 * <pre>
 *   mean = decode(p)                        symexp(Σ_i p_i b_i) for {@link TwoHotBins}, Σ_i p_i b_i for {@link SymexpBins}
 *   log p(x) = Σ_i twohot(x)_i log p_i      (the loss is its negative)
 * </pre>
 *
 * where {@code twohot(x)} is the code's {@link TwoHot#encode}: interpolated in symlog space over
 * {@link TwoHotBins}, in real space over {@link SymexpBins}. The gradient of the loss with respect
 * to {@code logits_i} is {@code p_i - twohot(x)_i}: probability mass moves towards the two bins
 * around {@code x}.
 */
public final class SymexpTwoHot implements Distribution {
    private final NDArray logits;
    private final TwoHot code;

    public SymexpTwoHot(NDArray logits, TwoHotBins bins) {
        this(logits, (TwoHot) bins);
    }

    /** Over any two-hot code, such as {@link SymexpBins}. @since 1.2 */
    public SymexpTwoHot(NDArray logits, TwoHot code) {
        long last = logits.getShape().get(logits.getShape().dimension() - 1);
        if (last != code.count()) {
            throw new IllegalArgumentException("logits have " + last + " entries on the last axis, bins " + code.count());
        }
        this.logits = logits;
        this.code = code;
    }

    /**
     * The symlog-space bins this distribution was built over.
     *
     * @throws IllegalStateException if it was built over another code (see {@link #code()})
     */
    public TwoHotBins bins() {
        if (code instanceof TwoHotBins bins) {
            return bins;
        }
        throw new IllegalStateException("built over " + code + ", not symlog-space bins");
    }

    /** The two-hot code. @since 1.2 */
    public TwoHot code() {
        return code;
    }

    /** {@code softmax(logits)}. */
    public NDArray probs() {
        return logits.softmax(-1);
    }

    /** The predicted value, {@code decode(p)} (differentiable). */
    public NDArray mean() {
        return code.decode(probs());
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
     * Only the two bins around {@code x} have non-zero weight, so they are gathered from the
     * log-probabilities instead of multiplying by a {@code [..., n]} code: the same value with two
     * small gathers in place of several full-size arrays.
     */
    @Override
    public NDArray logProb(NDArray value) {
        return logProb(logits.logSoftmax(-1), code.locateValue(value));
    }

    /**
     * {@code Σ_i twohot(x)_i logp_i} from log-probabilities {@code logp [..., n]} and the location
     * {@code at} of {@code x} among the bins: for several targets under one log-softmax. Targets
     * broadcast against {@code logp}'s leading axes (one target for every head of an ensemble,
     * say): libtorch's {@code gather} does not broadcast, and would return only the first head.
     *
     * @since 1.2
     */
    public static NDArray logProb(NDArray logp, TwoHotBins.Location at) {
        Shape leading = logp.getShape().slice(0, logp.getShape().dimension() - 1);
        NDArray index = at.index();
        if (!index.getShape().equals(leading)) {
            index = index.broadcast(leading); // a view: no copy; throws when the shapes do not broadcast
        }
        NDArray k = index.expandDims(-1);
        NDArray below = logp.gather(k, -1).squeeze(-1);
        NDArray above = logp.gather(k.add(1), -1).squeeze(-1);
        return below.add(above.sub(below).mul(at.upperWeight()));
    }

    /** {@code -logProb(x)}: the cross-entropy against the two-hot target. */
    public NDArray loss(NDArray value) {
        return logProb(value).neg();
    }
}
