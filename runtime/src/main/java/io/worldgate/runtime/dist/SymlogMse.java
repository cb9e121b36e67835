package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.math.Symlog;

/**
 * DreamerV3's symlog-MSE "distribution" for vector predictions (proprioceptive observations): the
 * network predicts {@code ŷ} in symlog space, the prediction in real space is
 * {@code symexp(ŷ)}, and
 *
 * <pre>
 *   log p(x) = -Σ_event (ŷ - symlog(x))²
 * </pre>
 *
 * summed over the last {@code eventAxes} axes. {@link #loss} is its negative.
 */
public final class SymlogMse implements Distribution {
    private final NDArray prediction;
    private final int[] axes;

    /**
     * @param prediction {@code ŷ}, in symlog space
     * @param eventAxes trailing axes summed in the log-probability (0 for elementwise)
     */
    public SymlogMse(NDArray prediction, int eventAxes) {
        if (eventAxes < 0) {
            throw new IllegalArgumentException("eventAxes must be >= 0");
        }
        this.prediction = prediction;
        this.axes = new int[eventAxes];
        for (int i = 0; i < eventAxes; i++) {
            axes[i] = -1 - i;
        }
    }

    /** {@code symexp(ŷ)}: deterministic, so sampling returns the mode. */
    @Override
    public NDArray sample() {
        return mode();
    }

    @Override
    public NDArray mode() {
        return Symlog.symexp(prediction);
    }

    @Override
    public NDArray logProb(NDArray value) {
        NDArray sq = prediction.sub(Symlog.symlog(value.stopGradient())).square();
        return (axes.length == 0 ? sq : sq.sum(axes)).neg();
    }

    /** {@code Σ_event (ŷ - symlog(x))²}. */
    public NDArray loss(NDArray value) {
        return logProb(value).neg();
    }
}
