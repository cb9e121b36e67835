package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * A categorical distribution over the last axis of {@code logits [..., K]}, whose values are
 * one-hot vectors {@code [..., K]}.
 *
 * <p><b>Unimix</b> (DreamerV3): with {@code u > 0} the probabilities are mixed with 1% (for
 * {@code u = 0.01}) uniform, {@code p = (1 - u) softmax(logits) + u / K}, so every class keeps
 * probability at least {@code u / K} and KL terms stay bounded.
 *
 * <p><b>Straight-through samples</b>: {@link #sample()} returns {@code onehot + p - sg(p)}. Its
 * value is the one-hot sample; its gradient is that of the probabilities,
 * {@code d sample / d logits = d p / d logits}. {@link #mode()} does the same with the argmax.
 * {@link #oneHot(boolean, boolean)} leaves the straight-through term out where no gradient is
 * wanted (acting, filtering without backprop).
 *
 * <p><b>Sampling by inverse CDF</b>: {@code k = #{j : cdf_j <= U}}, {@code U ~ U(0, 1)}, so
 * {@code P(k) = cdf_k - cdf_{k-1} = p_k}, the same distribution as the Gumbel-max trick's in four
 * engine calls instead of nine. Agents sample latents and actions in their inner loops (filtering,
 * imagination, acting), where each DJL call costs tens of microseconds whatever the tensor's size.
 *
 * <p><b>Memory</b>: each method closes its own intermediate arrays as soon as they are read (the
 * autograd graph keeps what the backward pass needs), and {@link #sampleOneHot} also the cached
 * probabilities, for the inner loops that want nothing but the sample: in Dreamer's imagination
 * (1024 states x 32 x 32 classes per step) the dead intermediates otherwise held about 40 MiB per
 * step until the update's scope closed.
 */
public final class OneHotCategorical implements Distribution {
    private final NDArray logits;
    private final float unimix;
    private final int classes;
    private NDArray probs;
    private NDArray logProbs;

    /**
     * @param logits {@code [..., K]}
     * @param unimix uniform mixing {@code u}, in [0, 1); 0 for a plain softmax
     */
    public OneHotCategorical(NDArray logits, float unimix) {
        if (!(unimix >= 0 && unimix < 1)) {
            throw new IllegalArgumentException("unimix must be in [0, 1), not " + unimix);
        }
        Shape s = logits.getShape();
        if (s.dimension() < 1) {
            throw new IllegalArgumentException("logits need a class axis");
        }
        this.logits = logits;
        this.unimix = unimix;
        this.classes = Math.toIntExact(s.get(s.dimension() - 1));
    }

    /** A plain softmax categorical (no unimix). */
    public OneHotCategorical(NDArray logits) {
        this(logits, 0f);
    }

    /** Number of classes {@code K}. */
    public int classes() {
        return classes;
    }

    public NDArray logits() {
        return logits;
    }

    /** The (mixed) probabilities {@code p [..., K]}. */
    public NDArray probs() {
        if (probs == null) {
            NDArray soft = logits.softmax(-1);
            if (unimix > 0) {
                NDArray scaled = Scalars.mul(soft, 1 - unimix);
                soft.close();
                probs = scaled.add(unimix / classes);
                scaled.close();
            } else {
                probs = soft;
            }
        }
        return probs;
    }

    /** {@code log p [..., K]}. */
    public NDArray logProbs() {
        if (logProbs == null) {
            logProbs = unimix > 0 ? probs().log() : logits.logSoftmax(-1);
        }
        return logProbs;
    }

    /**
     * Indices {@code [...]} (int64) of a sample, without gradient: {@code #{j : cdf_j <= U}} (a class of probability 0 has an empty interval, even at U = 0),
     * clipped to {@code K - 1} where rounding leaves {@code cdf_K} below {@code U}.
     */
    public NDArray sampleIndices() {
        NDArray p = probs().stopGradient();
        Shape s = p.getShape();
        NDArray cdf = p.cumSum(-1);
        p.close();
        NDArray u = cdf.getManager().randomUniform(0f, 1f, s.slice(0, s.dimension() - 1).add(1), cdf.getDataType());
        NDArray below = cdf.lte(u);
        cdf.close();
        u.close();
        NDArray count = below.sum(new int[] {-1});
        below.close();
        NDArray index = count.clip(0, classes - 1);
        count.close();
        return index;
    }

    /** One-hot sample with straight-through gradient: {@code onehot + p - sg(p)}. */
    @Override
    public NDArray sample() {
        return oneHot(true, true);
    }

    /** One-hot argmax with straight-through gradient. */
    @Override
    public NDArray mode() {
        return oneHot(false, true);
    }

    /**
     * A one-hot {@code [..., K]}: a sample, or the most likely class; with the straight-through
     * gradient {@code onehot + p - sg(p)} when {@code straightThrough}, else without gradient.
     */
    public NDArray oneHot(boolean sample, boolean straightThrough) {
        NDArray p = probs();
        NDArray index;
        if (sample) {
            index = sampleIndices();
        } else {
            try (NDArray frozen = p.stopGradient()) {
                index = frozen.argMax(-1);
            }
        }
        // DJL's oneHot to another type converts an int64 one-hot it leaves in the manager: converted here
        NDArray ints = index.oneHot(classes, DataType.INT64);
        index.close();
        NDArray onehot = ints.toType(p.getDataType(), false);
        ints.close();
        if (!straightThrough) {
            return onehot;
        }
        NDArray withGradient = onehot.add(p);
        onehot.close();
        try (NDArray frozen = p.stopGradient()) {
            NDArray out = withGradient.sub(frozen);
            withGradient.close();
            return out;
        }
    }

    /**
     * {@link #oneHot(boolean, boolean)} of the categorical over {@code logits}, for a caller that
     * needs nothing else from the distribution: its probabilities are closed before returning, so
     * only the sample stays in the logits' manager.
     */
    public static NDArray sampleOneHot(NDArray logits, float unimix, boolean sample, boolean straightThrough) {
        OneHotCategorical d = new OneHotCategorical(logits, unimix);
        NDArray out = d.oneHot(sample, straightThrough);
        if (d.probs != logits) {
            d.probs.close();
        }
        return out;
    }

    /** {@code Σ_k value_k log p_k} for one-hot (or soft) {@code value [..., K]}. */
    @Override
    public NDArray logProb(NDArray value) {
        return value.mul(logProbs()).sum(new int[] {-1});
    }

    /** {@code -Σ_k p_k log p_k}. */
    @Override
    public NDArray entropy() {
        return probs().mul(logProbs()).sum(new int[] {-1}).neg();
    }

    /** {@code Σ_k p_k (log p_k - log q_k)}. */
    @Override
    public NDArray kl(Distribution other) {
        if (!(other instanceof OneHotCategorical q)) {
            return Distribution.super.kl(other);
        }
        if (q.classes != classes) {
            throw new IllegalArgumentException("KL between " + classes + " and " + q.classes + " classes");
        }
        return probs().mul(logProbs().sub(q.logProbs())).sum(new int[] {-1});
    }

    @Override
    public OneHotCategorical stopGradient() {
        return new OneHotCategorical(logits.stopGradient(), unimix);
    }
}
