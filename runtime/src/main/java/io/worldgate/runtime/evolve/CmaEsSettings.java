package io.worldgate.runtime.evolve;

import java.util.Arrays;

/**
 * How a {@link CmaEs} run starts and when it stops. {@link #of} fills in the defaults of Hansen's
 * tutorial and pycma; the {@code with} methods change one value.
 *
 * @param mean0 the initial mean, one value per parameter (its length is the dimension n)
 * @param sigma0 the initial step size, about a quarter of the range the optimum is expected in
 *     (World Models: 0.1)
 * @param populationSize lambda, candidates per generation; default {@code 4 + floor(3 ln n)}
 *     (World Models: 64)
 * @param seed the seed of the sampling; the same settings give the same candidates
 * @param tolFun {@link StopReason#TOL_FUN} threshold; default 1e-11 (pycma's)
 * @param tolX {@link StopReason#TOL_X} threshold; default 1e-11 (pycma's)
 * @param maxIterations {@link StopReason#MAX_ITERATIONS}; default {@code 100 + 150 (n+3)^2 /
 *     sqrt(lambda)} (pycma's)
 */
public record CmaEsSettings(
        double[] mean0, double sigma0, int populationSize, long seed, double tolFun, double tolX, long maxIterations) {

    public CmaEsSettings {
        if (mean0 == null || mean0.length == 0) {
            throw new IllegalArgumentException("mean0 must have at least one value (the dimension of the search)");
        }
        for (int i = 0; i < mean0.length; i++) {
            if (!Double.isFinite(mean0[i])) {
                throw new IllegalArgumentException("mean0[" + i + "] is " + mean0[i] + "; it must be finite");
            }
        }
        mean0 = mean0.clone();
        if (!(sigma0 > 0) || !Double.isFinite(sigma0)) {
            throw new IllegalArgumentException("sigma0 must be positive and finite, got " + sigma0);
        }
        if (populationSize < 2) {
            throw new IllegalArgumentException("populationSize must be at least 2, got " + populationSize);
        }
        if (!(tolFun >= 0) || !(tolX >= 0)) {
            throw new IllegalArgumentException("tolFun and tolX must be >= 0, got " + tolFun + " and " + tolX);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
        }
    }

    /** Defaults for a search of {@code mean0.length} parameters. */
    public static CmaEsSettings of(double[] mean0, double sigma0, long seed) {
        if (mean0 == null || mean0.length == 0) {
            throw new IllegalArgumentException("mean0 must have at least one value (the dimension of the search)");
        }
        int lambda = defaultPopulationSize(mean0.length);
        return new CmaEsSettings(mean0, sigma0, lambda, seed, 1e-11, 1e-11, defaultMaxIterations(mean0.length, lambda));
    }

    /** {@code 4 + floor(3 ln n)}. */
    public static int defaultPopulationSize(int dimension) {
        return 4 + (int) Math.floor(3.0 * Math.log(dimension));
    }

    static long defaultMaxIterations(int dimension, int lambda) {
        return 100 + (long) Math.ceil(150.0 * (dimension + 3) * (dimension + 3) / Math.sqrt(lambda));
    }

    public int dimension() {
        return mean0.length;
    }

    @Override
    public double[] mean0() {
        return mean0.clone();
    }

    /** Another population size; maxIterations follows it if it was the default. */
    public CmaEsSettings withPopulationSize(int lambda) {
        long max = maxIterations == defaultMaxIterations(dimension(), populationSize) ? defaultMaxIterations(dimension(), lambda) : maxIterations;
        return new CmaEsSettings(mean0, sigma0, lambda, seed, tolFun, tolX, max);
    }

    public CmaEsSettings withTolFun(double value) {
        return new CmaEsSettings(mean0, sigma0, populationSize, seed, value, tolX, maxIterations);
    }

    public CmaEsSettings withTolX(double value) {
        return new CmaEsSettings(mean0, sigma0, populationSize, seed, tolFun, value, maxIterations);
    }

    public CmaEsSettings withMaxIterations(long value) {
        return new CmaEsSettings(mean0, sigma0, populationSize, seed, tolFun, tolX, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmaEsSettings s && Arrays.equals(mean0, s.mean0) && Double.compare(sigma0, s.sigma0) == 0
                && populationSize == s.populationSize && seed == s.seed && Double.compare(tolFun, s.tolFun) == 0
                && Double.compare(tolX, s.tolX) == 0 && maxIterations == s.maxIterations;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean0) + java.util.Objects.hash(sigma0, populationSize, seed, tolFun, tolX, maxIterations);
    }

    @Override
    public String toString() {
        return "CmaEsSettings[n=" + mean0.length + ", sigma0=" + sigma0 + ", lambda=" + populationSize + ", seed=" + seed
                + ", tolFun=" + tolFun + ", tolX=" + tolX + ", maxIterations=" + maxIterations + "]";
    }
}
