package io.worldgate.runtime.agent;

import java.util.SplittableRandom;

/**
 * The sampling stream of an agent that loaded a checkpoint. A {@code SplittableRandom} cannot be
 * written to a checkpoint, and restarting from the run's seed would replay the draws the agent
 * already made (the same replay batches again); a stream derived from the seed and the update
 * count differs from every stream the run has used before.
 */
public final class ResumedRandom {
    // the golden-ratio increment spreads neighbouring update counts far apart in the seed space
    private static final long SPREAD = 0x9E3779B97F4A7C15L;

    private ResumedRandom() {}

    /** The stream of an agent seeded with {@code seed} that resumes after {@code updates} updates. */
    public static SplittableRandom after(long seed, long updates) {
        return new SplittableRandom(seed ^ (SPREAD * (updates + 1)));
    }
}
