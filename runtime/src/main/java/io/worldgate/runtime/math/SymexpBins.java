package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.worldgate.runtime.tensor.Scalars;

/**
 * {@code n} bins at {@code b_i = symexp(-L + 2L i / (n - 1))} (DreamerV3's later releases: 255 bins,
 * {@code L = 20}), with the two-hot code and the expectation taken in <em>real</em> space: a value
 * {@code x} between {@code b_k} and {@code b_{k+1}} gets weight {@code w = (x - b_k) / (b_{k+1} - b_k)}
 * on bin {@code k + 1} and {@code 1 - w} on bin {@code k}, and a distribution {@code p} stands for
 * {@code Σ_i p_i b_i}. Encoding then decoding gives {@code x} back, up to float rounding. (The
 * bin positions are those of {@link TwoHotBins} on {@code [-L, L]}; that class interpolates linearly
 * in symlog space instead and decodes {@code symexp(Σ_i p_i symlog(b_i))}.)
 *
 * <p>The bins are built exactly antisymmetric ({@code b_{n-1-i} = -b_i}, and {@code 0} in the middle
 * for odd {@code n}), and the expectation sums each pair {@code b_i (p_i - p_{n-1-i})}, so a
 * uniform distribution (a head whose output layer starts at zero) stands for exactly 0: the
 * outer bins are near {@code ±4.9e8}, and a plain sum in float would leave a rounding error of
 * order one.
 *
 * @since 1.2
 */
public final class SymexpBins implements TwoHot {
    private final int count;
    private final float limit;
    private final float width;
    private final float[] centers;

    /**
     * @param count number of bins, at least 2
     * @param limit {@code L > 0}: the outer bins are {@code ±symexp(L)}
     */
    public SymexpBins(int count, float limit) {
        if (count < 2) {
            throw new IllegalArgumentException("need at least 2 bins, not " + count);
        }
        if (!(limit > 0)) {
            throw new IllegalArgumentException("the limit must be positive, not " + limit);
        }
        this.count = count;
        this.limit = limit;
        this.width = 2 * limit / (count - 1);
        this.centers = new float[count];
        for (int i = 0; i < count / 2; i++) {
            float b = (float) Symlog.symexp(-limit + (double) i * 2 * limit / (count - 1));
            centers[i] = b;
            centers[count - 1 - i] = -b;
        }
    }

    /** DreamerV3's later releases: 255 bins, outer bins {@code ±symexp(20)}. */
    public static SymexpBins dreamerV3() {
        return new SymexpBins(255, 20f);
    }

    @Override
    public int count() {
        return count;
    }

    /** Bin {@code i}, in real space. */
    public float center(int i) {
        return centers[i];
    }

    /** The bins {@code [count]} (float32, real space), in memory libtorch owns (see {@code Scalars}). */
    public NDArray centers(NDManager manager) {
        return owned(manager, centers);
    }

    private static NDArray owned(NDManager manager, float[] values) {
        try (NDArray javaBacked = manager.create(values)) {
            return javaBacked.duplicate();
        }
    }

    /**
     * The lower bin is found in symlog space, where the bins are evenly spaced; rounding can put it
     * one off next to a bin, and clipping the weight to [0, 1] then puts all of it on that bin,
     * which is right to float precision.
     */
    @Override
    public TwoHotBins.Location locateValue(NDArray x) {
        NDArray v = x.stopGradient().toType(DataType.FLOAT32, false);
        NDArray pos = Scalars.div(Symlog.symlog(v).clip(-limit, limit).add(limit), width);
        NDArray k = pos.floor().clip(0, count - 2).toType(DataType.INT64, false);
        NDArray bins = centers(v.getManager());
        NDArray below = bins.take(k);
        NDArray above = bins.take(k.add(1));
        NDArray upper = v.sub(below).div(above.sub(below)).clip(0, 1);
        return new TwoHotBins.Location(k, upper);
    }

    /** {@code Σ_i p_i b_i} over the last axis, summed pairwise from the outside in (exactly 0 when uniform). */
    @Override
    public NDArray decode(NDArray probs) {
        long last = probs.getShape().get(probs.getShape().dimension() - 1);
        if (last != count) {
            throw new IllegalArgumentException("last axis has " + last + " entries, bins are " + count);
        }
        int pairs = count / 2;
        int axis = probs.getShape().dimension() - 1;
        float[] upperBins = new float[pairs];
        System.arraycopy(centers, count - pairs, upperBins, 0, pairs);
        NDArray upper = probs.get("..., " + (count - pairs) + ":");
        NDArray lower = probs.get("..., :" + pairs).flip(axis);
        return upper.sub(lower).matMul(owned(probs.getManager(), upperBins));
    }

    @Override
    public String toString() {
        return "SymexpBins[" + count + " at symexp of [" + -limit + ", " + limit + "], real space]";
    }
}
