package io.worldgate.api.experience;

/** How a sampled sequence treats the boundaries between episodes. */
public enum Slicing {
    /**
     * The sequence runs on into the next episode of the same environment, whose first step has
     * {@code isFirst} set (DreamerV3's replay); past the newest stored step it is padded with
     * {@code mask} 0. What {@link Experience#sampleSequences(int, int, java.util.random.RandomGenerator)} does.
     */
    CROSS_EPISODES,
    /**
     * The sequence lies inside one episode (TD-MPC2): its start is drawn among the stored steps
     * from which {@code length} steps of the same episode are stored, so {@code isFirst} can be
     * set only at position 0 and {@code mask} is 1 everywhere. Episodes shorter than
     * {@code length} are never drawn; if none is long enough, sampling throws.
     */
    WITHIN_EPISODE,
    /**
     * The sequence starts at any stored step (as with {@link #CROSS_EPISODES}) but stops at the
     * end of that step's episode: the rest is padded with {@code mask} 0, so short episodes are
     * sampled too.
     */
    WITHIN_EPISODE_PADDED
}
