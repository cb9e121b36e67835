package io.worldgate.api.env;

/**
 * The outcome of one finished episode.
 *
 * @param episodeReturn sum of rewards over the episode
 * @param length agent steps taken
 * @param terminated whether it ended in a terminal state (else it was truncated)
 */
public record EpisodeSummary(double episodeReturn, int length, boolean terminated) {}
