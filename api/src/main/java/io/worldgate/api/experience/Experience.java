package io.worldgate.api.experience;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The experience of a run, owned and written by the host; agents only read it. It survives an
 * agent swap, so a new agent version trains on everything collected before it.
 *
 * <p>Step alignment (as in Dreamer's replay): step {@code t} of an episode holds the observation
 * {@code o_t}, the reward {@code r_t} received on arriving at it (0 at the first step), the flags
 * {@code is_first_t} and {@code is_terminal_t}, and the action {@code a_t} the agent chose at
 * {@code o_t} (zeros for the last step of an episode, where no action was taken).
 */
public interface Experience {

    /** Number of steps stored, over all episodes, finished or not. */
    long numSteps();

    /** Number of episodes with at least one stored step. */
    int numEpisodes();

    /**
     * Samples {@code batchSize} sequences of {@code length} consecutive steps, uniformly over
     * stored steps. A sequence may cross into the next episode of the same environment; the
     * {@code isFirst} flags mark where, as Dreamer expects. When fewer than {@code length} steps
     * exist from the chosen start, the tail is padded and its {@code mask} entries are 0.
     *
     * @throws IllegalStateException if nothing is stored yet
     */
    SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng);

    /**
     * The most recent finished episodes, oldest first, at most {@code max} of them (World Models
     * trains its VAE and MDN-RNN on whole episodes).
     */
    List<Episode> recentEpisodes(int max);
}
