package io.worldgate.runtime.plan;

/**
 * The search budget and distribution bounds of {@link Mppi}. {@link #published()} gives TD-MPC2's
 * settings (Hansen, Su and Wang, ICLR 2024); the discount comes from the {@link LatentModel}.
 *
 * @param horizon steps per action sequence ({@code H})
 * @param iterations refits of the search distribution per call
 * @param samples action sequences evaluated per iteration and environment, prior ones included
 * @param elites best sequences the distribution is refit to
 * @param policyTrajectories of the {@code samples}, how many are rolled out with the
 *     {@link ActionPrior} (ignored when there is none: all are then sampled)
 * @param temperature sharpness of the elites' weights {@code exp(temperature * (value - max))}
 * @param minStd lower bound of the refit standard deviation
 * @param maxStd upper bound, and the standard deviation every search starts from
 */
public record MppiSettings(
        int horizon,
        int iterations,
        int samples,
        int elites,
        int policyTrajectories,
        double temperature,
        double minStd,
        double maxStd) {

    public MppiSettings {
        if (horizon < 1 || iterations < 1 || samples < 1) {
            throw new IllegalArgumentException("horizon, iterations and samples must be >= 1: " + horizon + ", " + iterations + ", " + samples);
        }
        if (elites < 1 || elites > samples) {
            throw new IllegalArgumentException("elites must be in [1, samples=" + samples + "]: " + elites);
        }
        if (policyTrajectories < 0 || policyTrajectories > samples) {
            throw new IllegalArgumentException("policyTrajectories must be in [0, samples=" + samples + "]: " + policyTrajectories);
        }
        if (!(temperature > 0) || !(minStd >= 0) || !(maxStd >= minStd)) {
            throw new IllegalArgumentException("need temperature > 0 and 0 <= minStd <= maxStd: " + temperature + ", " + minStd + ", " + maxStd);
        }
    }

    /** TD-MPC2's settings: horizon 3, 6 iterations, 512 samples, 64 elites, 24 policy trajectories, temperature 0.5, std in [0.05, 2]. */
    public static MppiSettings published() {
        return new MppiSettings(3, 6, 512, 64, 24, 0.5, 0.05, 2.0);
    }
}
