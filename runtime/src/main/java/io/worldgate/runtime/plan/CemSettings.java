package io.worldgate.runtime.plan;

/**
 * The search budget of {@link Cem}. {@link #published()} gives PlaNet's settings (Hafner et al.,
 * <i>Learning Latent Dynamics for Planning from Pixels</i>, ICML 2019).
 *
 * @param horizon steps per action sequence ({@code H})
 * @param iterations refits of the search distribution per call
 * @param candidates action sequences evaluated per iteration and environment
 * @param topK best candidates the distribution is refit to (unweighted)
 * @param initStd standard deviation every search starts from (PlaNet: the unit normal)
 * @param minStd lower bound of the refit standard deviation (PlaNet has none: 0)
 * @param exploreNoise standard deviation of the Gaussian noise added to the planned action when
 *     exploring (PlaNet: 0.3)
 */
public record CemSettings(int horizon, int iterations, int candidates, int topK, double initStd, double minStd, double exploreNoise) {

    public CemSettings {
        if (horizon < 1 || iterations < 1 || candidates < 1) {
            throw new IllegalArgumentException("horizon, iterations and candidates must be >= 1: " + horizon + ", " + iterations + ", " + candidates);
        }
        if (topK < 1 || topK > candidates) {
            throw new IllegalArgumentException("topK must be in [1, candidates=" + candidates + "]: " + topK);
        }
        if (!(minStd >= 0) || !(initStd >= minStd) || !(exploreNoise >= 0)) {
            throw new IllegalArgumentException("need 0 <= minStd <= initStd and exploreNoise >= 0: " + minStd + ", " + initStd + ", " + exploreNoise);
        }
    }

    /** PlaNet's settings: horizon 12, 10 iterations, 1000 candidates, top 100, unit initial std, exploration noise 0.3. */
    public static CemSettings published() {
        return new CemSettings(12, 10, 1000, 100, 1.0, 0.0, 0.3);
    }
}
