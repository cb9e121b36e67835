package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.worldgate.runtime.tensor.Scalars;

/**
 * {@code n} equally spaced bin centres {@code b_0 < ... < b_{n-1}} on {@code [low, high]} in
 * <em>symlog space</em>, and the two-hot code over them used for discrete regression of rewards
 * and values.
 *
 * <p>Encoding a scalar {@code x}: let {@code y = clip(symlog(x), low, high)},
 * {@code Δ = (high - low) / (n - 1)}, {@code k = min(floor((y - low) / Δ), n - 2)} and
 * {@code w = (y - b_k) / Δ}. The code puts weight {@code 1 - w} on bin {@code k} and {@code w} on
 * bin {@code k + 1} (zero elsewhere). The weights sum to 1 and {@code Σ_i code_i b_i = y}, so
 * decoding, {@code symexp(Σ_i p_i b_i)}, inverts encoding exactly up to float rounding.
 *
 * <p>DreamerV3 uses 255 bins on [-20, 20] ({@link #dreamerV3()}); TD-MPC2 uses 101 bins on
 * [-10, 10] ({@link #tdmpc2()}).
 */
public final class TwoHotBins implements TwoHot {
    private final int count;
    private final float low;
    private final float high;
    private final float width;

    /**
     * @param count number of bins, at least 2
     * @param low first bin centre, in symlog space
     * @param high last bin centre, in symlog space, greater than {@code low}
     */
    public TwoHotBins(int count, float low, float high) {
        if (count < 2) {
            throw new IllegalArgumentException("need at least 2 bins, not " + count);
        }
        if (!(high > low)) {
            throw new IllegalArgumentException("high (" + high + ") must exceed low (" + low + ")");
        }
        this.count = count;
        this.low = low;
        this.high = high;
        this.width = (high - low) / (count - 1);
    }

    /** DreamerV3: 255 bins on [-20, 20]. */
    public static TwoHotBins dreamerV3() {
        return new TwoHotBins(255, -20f, 20f);
    }

    /** TD-MPC2: 101 bins on [-10, 10]. */
    public static TwoHotBins tdmpc2() {
        return new TwoHotBins(101, -10f, 10f);
    }

    @Override
    public int count() {
        return count;
    }

    public float low() {
        return low;
    }

    public float high() {
        return high;
    }

    /** Distance between neighbouring bins, {@code (high - low) / (count - 1)}. */
    public float width() {
        return width;
    }

    /** Bin centre {@code i}, in symlog space. */
    public float center(int i) {
        return low + i * width;
    }

    /** The bin centres {@code [count]} (float32, symlog space). */
    public NDArray centers(NDManager manager) {
        float[] c = new float[count];
        for (int i = 0; i < count; i++) {
            c[i] = center(i);
        }
        // the last centre is exactly 'high', whatever the rounding of low + i * width
        c[count - 1] = high;
        // a copy in memory libtorch owns: create(float[]) is a view of a Java buffer that must
        // outlive every backward pass through this array (see Scalars)
        try (NDArray javaBacked = manager.create(c)) {
            return javaBacked.duplicate();
        }
    }

    /**
     * Where values {@code y [...]} (already in symlog space) fall among the bins: the lower bin
     * {@code k} (int64) and the weight {@code w} of bin {@code k + 1}, so that the two-hot code is
     * {@code 1 - w} at {@code k} and {@code w} at {@code k + 1}. No gradient.
     *
     * @param index {@code k [...]}, int64 in {@code [0, count - 2]}
     * @param upperWeight {@code w [...]}, float32 in [0, 1]
     */
    public record Location(NDArray index, NDArray upperWeight) {
        /** The two-hot code {@code [..., count]}: {@code 1 - w} at {@code k}, {@code w} at {@code k + 1}. @since 1.2 */
        public NDArray code(int count) {
            NDArray upper = upperWeight.expandDims(-1);
            NDArray below = index.oneHot(count).mul(upper.neg().add(1));
            NDArray above = index.add(1).oneHot(count).mul(upper);
            return below.add(above);
        }
    }

    /** The {@link Location} of real values {@code x [...]}: that of {@code symlog(x)}. */
    @Override
    public Location locateValue(NDArray x) {
        return locate(Symlog.symlog(x.stopGradient()));
    }

    /** The {@link Location} of symlog-space values {@code y [...]}. */
    public Location locate(NDArray y) {
        NDArray clipped = y.stopGradient().toType(DataType.FLOAT32, false).clip(low, high);
        NDArray pos = Scalars.div(clipped.sub(low), width);
        NDArray k = pos.floor().clip(0, count - 2);
        NDArray upper = pos.sub(k).clip(0, 1);
        return new Location(k.toType(DataType.INT64, false), upper);
    }

    /**
     * The two-hot code {@code [..., count]} of values {@code y [...]} that are already in symlog
     * space. The result carries no gradient (it is a target).
     */
    public NDArray encodeSymlog(NDArray y) {
        return locate(y).code(count);
    }

    /** {@code Σ_i p_i b_i} over the last axis of {@code probs [..., count]}: symlog space. */
    public NDArray expectSymlog(NDArray probs) {
        checkLastAxis(probs);
        NDArray centers = centers(probs.getManager());
        // one matrix-vector product instead of an elementwise product and a sum over [..., n]
        return probs.matMul(centers);
    }

    /** {@code symexp(Σ_i p_i b_i)}: the real value a distribution over the bins stands for. */
    @Override
    public NDArray decode(NDArray probs) {
        return Symlog.symexp(expectSymlog(probs));
    }

    void checkLastAxis(NDArray a) {
        long last = a.getShape().get(a.getShape().dimension() - 1);
        if (last != count) {
            throw new IllegalArgumentException("last axis has " + last + " entries, bins are " + count);
        }
    }

    @Override
    public String toString() {
        return "TwoHotBins[" + count + " on [" + low + ", " + high + "] in symlog space]";
    }
}
