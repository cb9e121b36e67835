package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;

/**
 * A two-hot code over {@code n} bins for discrete regression of rewards and values: a real value
 * becomes weights on the two bins around it, and a distribution over the bins stands for a real
 * value. {@link TwoHotBins} interpolates in symlog space (DreamerV3's first release, TD-MPC2);
 * {@link SymexpBins} in real space (DreamerV3's later releases).
 *
 * @since 1.2
 */
public interface TwoHot {

    /** Number of bins. */
    int count();

    /**
     * Where real values {@code x [...]} fall among the bins: the lower bin {@code k} and the weight
     * of bin {@code k + 1}; values beyond the outer bins put all their weight on the nearer one. No
     * gradient.
     */
    TwoHotBins.Location locateValue(NDArray x);

    /** The two-hot code {@code [..., count]} of real values {@code x [...]}; no gradient. */
    default NDArray encode(NDArray x) {
        return locateValue(x).code(count());
    }

    /** The real value a distribution {@code probs [..., count]} over the bins stands for (differentiable). */
    NDArray decode(NDArray probs);
}
