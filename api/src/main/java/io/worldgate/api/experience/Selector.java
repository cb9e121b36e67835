package io.worldgate.api.experience;

import java.util.random.RandomGenerator;

/**
 * How a sample weighs the stored steps it draws from (the start of a sequence, or a frame).
 *
 * <p>Age is counted in appends: the host appends one batch of observations per step of the
 * run's environments (all environments at once), and a step's age is the number of batches
 * appended after its own, so the newest steps have age 0 and steps of different environments
 * taken at the same time have the same age.
 *
 * <p>A sequence of {@code length} steps (any {@link Slicing}) counts its start's age from the
 * newest start from which {@code length} steps are stored: the newest {@code length - 1} appends
 * are never drawn as starts, so a short half-life still yields full sequences. Frames and
 * sequences of one step count age from the newest step.
 */
public sealed interface Selector permits Selector.Uniform, Selector.Recency {

    /** Every stored step equally likely (the default, as in DreamerV3's uniform replay). */
    static Selector uniform() {
        return new Uniform();
    }

    /** Recent steps favoured: a step's weight halves every {@code halfLife} appends of age. */
    static Selector recency(double halfLife) {
        return new Recency(halfLife);
    }

    /** Every stored step equally likely. */
    record Uniform() implements Selector {}

    /**
     * A stored step of age {@code a} is drawn with probability proportional to
     * {@code 2^(-a / halfLife)}: an exponential decay over age, a one-parameter form of the
     * age-based weighting of DreamerV3's recency selector.
     *
     * @param halfLife appends after which a step's weight has halved; finite and positive
     */
    record Recency(double halfLife) implements Selector {
        public Recency {
            if (!(halfLife > 0) || Double.isInfinite(halfLife)) {
                throw new IllegalArgumentException("the recency half-life must be finite and positive, got " + halfLife);
            }
        }

        /** The unnormalised weight of a step of age {@code age}. */
        public double weight(long age) {
            return Math.pow(2, -age / halfLife);
        }

        /**
         * Draws an age in {@code [0, maxAge]} with probability proportional to {@link #weight}
         * (a geometric distribution cut at {@code maxAge}, drawn by inverting its distribution
         * function). Stores draw an age with it, then a step of that age.
         */
        public long sampleAge(long maxAge, RandomGenerator rng) {
            if (maxAge < 0) {
                throw new IllegalArgumentException("negative maximum age " + maxAge);
            }
            double logR = -Math.log(2) / halfLife; // log of the ratio between successive weights
            // P(age <= a) = (1 - r^(a+1)) / (1 - r^(maxAge+1)); solve for a at a uniform u.
            double tail = -Math.expm1(logR * (maxAge + 1.0)); // 1 - r^(maxAge+1)
            double u = rng.nextDouble();
            double a = Math.floor(Math.log1p(-u * tail) / logR);
            return Math.max(0, Math.min(maxAge, (long) a));
        }
    }
}
