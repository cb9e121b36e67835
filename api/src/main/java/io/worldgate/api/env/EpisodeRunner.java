package io.worldgate.api.env;

import java.util.List;

/**
 * Lets an agent run whole episodes in real environments with a policy of its own, outside the
 * host's act-step loop. Evolution strategies need this: CMA-ES scores each candidate controller
 * by the returns of the episodes it plays. Steps taken here are not appended to the experience.
 */
public interface EpisodeRunner {

    /** The spec of the environments episodes run in. */
    EnvSpec spec();

    /**
     * Plays {@code episodes} complete episodes with {@code policy} and returns them in the order
     * they finished. Environments are seeded from {@code seed} so a candidate can be scored on the
     * same starts as another.
     */
    List<EpisodeSummary> run(Policy policy, int episodes, long seed);
}
