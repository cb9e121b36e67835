package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.tensor.Scalars;

/**
 * Elementwise Normal distributions {@code N(μ, σ²)}; wrap in {@link Independent} to sum over
 * action dimensions.
 *
 * <pre>
 *   log N(x; μ, σ) = -(x - μ)² / (2σ²) - ln σ - ½ ln 2π
 *   H = ½ + ½ ln 2π + ln σ
 *   KL(N(μ1, σ1) || N(μ2, σ2)) = ln(σ2/σ1) + (σ1² + (μ1 - μ2)²) / (2σ2²) - ½
 * </pre>
 *
 * Samples are reparameterised, {@code μ + σ ε} with {@code ε ~ N(0, 1)}.
 */
public final class Normal implements Distribution {
    static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

    private final NDArray mean;
    private final NDArray std;

    /** @param mean {@code μ}; @param std {@code σ > 0}, same shape */
    public Normal(NDArray mean, NDArray std) {
        if (!mean.getShape().equals(std.getShape())) {
            throw new IllegalArgumentException("mean " + mean.getShape() + " and std " + std.getShape() + " differ");
        }
        this.mean = mean;
        this.std = std;
    }

    public NDArray mean() {
        return mean;
    }

    public NDArray std() {
        return std;
    }

    /** Standard normal noise of the batch shape. */
    NDArray noise() {
        return mean.getManager().randomNormal(0f, 1f, mean.getShape(), mean.getDataType());
    }

    @Override
    public NDArray sample() {
        return mean.add(std.mul(noise()));
    }

    @Override
    public NDArray mode() {
        return mean;
    }

    @Override
    public NDArray logProb(NDArray value) {
        NDArray z = value.sub(mean).div(std);
        return Scalars.mul(z.square(), -0.5f).sub(std.log()).sub((float) HALF_LOG_TWO_PI);
    }

    @Override
    public NDArray entropy() {
        return std.log().add((float) (0.5 + HALF_LOG_TWO_PI));
    }

    @Override
    public NDArray kl(Distribution other) {
        if (!(other instanceof Normal q)) {
            return Distribution.super.kl(other);
        }
        NDArray varRatio = std.div(q.std).square();
        NDArray meanTerm = mean.sub(q.mean).div(q.std).square();
        // ln(σ2/σ1) = -½ ln(σ1²/σ2²)
        return Scalars.mul(varRatio.add(meanTerm).sub(1).sub(varRatio.log()), 0.5f);
    }

    @Override
    public Normal stopGradient() {
        return new Normal(mean.stopGradient(), std.stopGradient());
    }
}
