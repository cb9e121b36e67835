package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;

/**
 * Treats the last {@code n} batch axes of a base distribution as event axes: log-probabilities,
 * entropies and KLs are summed over them. Dreamer's stochastic state of 32 latents with 32
 * classes each is {@code new Independent(new OneHotCategorical(logits[B, 32, 32], 0.01f), 1)},
 * with batch shape {@code [B]}; a diagonal Gaussian policy over {@code A} action dimensions is
 * {@code new Independent(new Normal(mean[B, A], std[B, A]), 1)}.
 */
public final class Independent implements Distribution {
    private final Distribution base;
    private final int[] axes;

    /**
     * @param base the distribution with independent entries
     * @param reinterpretedAxes how many trailing batch axes of {@code base} become event axes (>= 1)
     */
    public Independent(Distribution base, int reinterpretedAxes) {
        if (reinterpretedAxes < 1) {
            throw new IllegalArgumentException("reinterpret at least one axis");
        }
        this.base = base;
        this.axes = new int[reinterpretedAxes];
        for (int i = 0; i < reinterpretedAxes; i++) {
            axes[i] = -1 - i;
        }
    }

    public Distribution base() {
        return base;
    }

    @Override
    public NDArray sample() {
        return base.sample();
    }

    @Override
    public NDArray mode() {
        return base.mode();
    }

    @Override
    public NDArray logProb(NDArray value) {
        return base.logProb(value).sum(axes);
    }

    @Override
    public NDArray entropy() {
        return base.entropy().sum(axes);
    }

    @Override
    public NDArray kl(Distribution other) {
        Distribution otherBase = other instanceof Independent o ? o.base : other;
        return base.kl(otherBase).sum(axes);
    }

    @Override
    public Independent stopGradient() {
        return new Independent(base.stopGradient(), axes.length);
    }
}
