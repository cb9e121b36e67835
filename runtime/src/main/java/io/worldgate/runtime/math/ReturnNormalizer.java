package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.worldgate.runtime.tensor.Scalars;

/**
 * DreamerV3's percentile return normalisation. Each update takes the {@code 5th} and {@code 95th}
 * percentiles of a batch of λ-returns and folds them into exponential moving averages,
 *
 * <pre>
 *   L ← d L + (1 - d) Per(R, 5)      H ← d H + (1 - d) Per(R, 95)      (d = 0.99, L = H = 0 at start)
 *   S = max(1, H - L)
 * </pre>
 *
 * and the actor divides returns and baselines, or advantages, by {@code S}: large returns are
 * scaled down, small ones are not scaled up. Percentiles interpolate linearly between order
 * statistics (as {@code numpy.percentile}).
 *
 * <p>With {@code debias} on, the averages are divided by {@code 1 - d^n} after {@code n} updates
 * (as Adam's moments), so the first updates are not pulled towards 0. DreamerV3's configuration
 * has it off, which is the default here.
 *
 * <p>The state is two floats on the Java side; {@link #state()} and {@link #restore} carry it
 * through checkpoints. Not thread-safe.
 */
public final class ReturnNormalizer {
    private final float decay;
    private final float lowPercentile;
    private final float highPercentile;
    private final float minScale;
    private final boolean debias;
    private double low;
    private double high;
    private long updates;

    /**
     * @param decay EMA decay {@code d}, in [0, 1)
     * @param lowPercentile e.g. 5
     * @param highPercentile e.g. 95
     * @param minScale the scale never goes below this (1 in DreamerV3)
     * @param debias divide the averages by {@code 1 - d^n}
     */
    public ReturnNormalizer(float decay, float lowPercentile, float highPercentile, float minScale, boolean debias) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("decay must be in [0, 1), not " + decay);
        }
        if (!(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
            throw new IllegalArgumentException("need 0 <= low < high <= 100 percentiles, got " + lowPercentile
                    + ", " + highPercentile);
        }
        this.decay = decay;
        this.lowPercentile = lowPercentile;
        this.highPercentile = highPercentile;
        this.minScale = minScale;
        this.debias = debias;
    }

    /** DreamerV3's settings: decay 0.99, percentiles 5 and 95, scale at least 1, no debiasing. */
    public static ReturnNormalizer dreamerV3() {
        return new ReturnNormalizer(0.99f, 5f, 95f, 1f, false);
    }

    /**
     * Folds the percentiles of {@code returns} (any shape; all elements count) into the averages.
     * Gradients do not flow through this.
     */
    public void update(NDArray returns) {
        try (NDArray detached = returns.stopGradient();
                NDArray flat = detached.flatten();
                NDArray lo = flat.percentile(lowPercentile);
                NDArray hi = flat.percentile(highPercentile)) {
            update(scalar(lo), scalar(hi));
        }
    }

    /**
     * Folds the percentiles of the valid rows of {@code returns} into the averages: {@code valid}
     * has the shape of the leading axis of {@code returns} and is non-zero where a row counts.
     * Rows that start from padding (a replayed sequence that ran past the end of the stored
     * steps) would otherwise pull the percentiles towards returns no real state has. Without any
     * valid row the averages stay as they are.
     */
    public void update(NDArray returns, NDArray valid) {
        try (NDArray detached = returns.stopGradient();
                NDArray keep = valid.stopGradient().toType(DataType.BOOLEAN, false);
                NDArray rows = detached.get(keep)) {
            if (rows.size() == 0) {
                return;
            }
            update(rows);
        }
    }

    private static double scalar(NDArray a) {
        try (NDArray d = a.toType(DataType.FLOAT64, false)) {
            return d.getDouble();
        }
    }

    /** Folds given low and high percentiles into the averages. */
    public void update(double lowValue, double highValue) {
        low = decay * low + (1 - decay) * lowValue;
        high = decay * high + (1 - decay) * highValue;
        updates++;
    }

    /** The averaged low percentile {@code L} (the offset). */
    public double low() {
        return low / correction();
    }

    /** The averaged high percentile {@code H}. */
    public double high() {
        return high / correction();
    }

    /** {@code S = max(minScale, H - L)}. */
    public double scale() {
        return Math.max(minScale, high() - low());
    }

    /** {@code x / S}. */
    public NDArray normalize(NDArray x) {
        return Scalars.div(x, (float) scale());
    }

    /** Number of updates so far. */
    public long updates() {
        return updates;
    }

    private double correction() {
        if (!debias || updates == 0) {
            return 1.0;
        }
        return 1.0 - Math.pow(decay, updates);
    }

    /** The state to checkpoint: {@code [low EMA, high EMA, updates]}. */
    public double[] state() {
        return new double[] {low, high, updates};
    }

    /** Restores a state from {@link #state()}. */
    public void restore(double[] state) {
        if (state.length != 3) {
            throw new IllegalArgumentException("return normalizer state has 3 values, not " + state.length);
        }
        low = state[0];
        high = state[1];
        updates = (long) state[2];
    }
}
