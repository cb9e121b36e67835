package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;

/**
 * A batch of distributions. The <em>batch shape</em> is the shape of {@link #logProb}'s result;
 * the <em>event shape</em> trails it in samples ({@code []} for scalar distributions, {@code [K]}
 * for a one-hot categorical over {@code K} classes).
 */
public interface Distribution {

    /**
     * A sample. Where the distribution allows it, the sample carries gradients to the parameters:
     * reparameterised for {@link Normal} and {@link TanhNormal}, straight-through for
     * {@link OneHotCategorical}. {@link Bernoulli} samples carry none.
     */
    NDArray sample();

    /** The most likely value (for a {@link TanhNormal}, {@code tanh} of the Normal's mean). */
    NDArray mode();

    /** Log-density or log-probability of {@code value}, with the batch shape. */
    NDArray logProb(NDArray value);

    /**
     * Entropy, with the batch shape.
     *
     * @throws UnsupportedOperationException where it has no closed form
     */
    default NDArray entropy() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no closed-form entropy");
    }

    /**
     * {@code KL(this || other)}, with the batch shape.
     *
     * @throws UnsupportedOperationException where not defined for this pair
     */
    default NDArray kl(Distribution other) {
        throw new UnsupportedOperationException("no KL between " + getClass().getSimpleName() + " and "
                + other.getClass().getSimpleName());
    }

    /**
     * The same distribution with parameters cut from the autograd graph ({@code sg(·)}): used for
     * DreamerV3's dynamics and representation losses, which stop gradients on one side each.
     */
    default Distribution stopGradient() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support stopGradient");
    }
}
