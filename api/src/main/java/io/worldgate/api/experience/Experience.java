package io.worldgate.api.experience;

import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The experience of a run, owned and written by the host; agents only read it. It survives an
 * agent swap, so a new agent version trains on everything collected before it.
 *
 * <p>Step alignment (as in Dreamer's replay): step {@code t} of an episode holds the observation
 * {@code o_t}, the reward {@code r_t} received on arriving at it (0 at the first step), the flags
 * {@code is_first_t} and {@code is_terminal_t}, and the action {@code a_t} the agent chose at
 * {@code o_t} (zeros for the last step of an episode, where no action was taken).
 *
 * <p>Since 1.1: sequences sliced inside one episode ({@link Slicing}), recency-weighted sampling
 * ({@link Selector}), single frames ({@link #sampleFrames}) and episodes visited without copies
 * ({@link #forEachEpisode}). The defaults here keep an implementation of 1.0 working: it serves
 * the uniform, boundary-crossing requests of 1.0, and the other requests throw
 * {@link UnsupportedOperationException}; the host's stores implement them all.
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
     * Samples sequences as {@code request} says: {@link Slicing} picks whether they may cross
     * episode boundaries, {@link Selector} how their start steps are weighed.
     * {@code sampleSequences(SampleRequest.of(b, t), rng)} is {@code sampleSequences(b, t, rng)}.
     *
     * @throws IllegalStateException if nothing is stored yet, or (with
     *     {@link Slicing#WITHIN_EPISODE}) no stored episode has {@code length} steps
     * @since 1.1
     */
    default SequenceBatch sampleSequences(SampleRequest request, RandomGenerator rng) {
        if (request.slicing() == Slicing.CROSS_EPISODES && request.selector() instanceof Selector.Uniform) {
            return sampleSequences(request.batchSize(), request.length(), rng);
        }
        throw new UnsupportedOperationException(getClass().getName() + " samples only uniform sequences across episodes");
    }

    /**
     * Samples {@code batchSize} single stored steps (frames), drawn by {@code selector}, and
     * returns the observations named in {@code keys}, each of shape {@code [batchSize, ...]}
     * (an image encoder pre-trains on these). Every frame is a stored step: nothing is padded.
     *
     * @throws IllegalArgumentException if a key names no observation
     * @throws IllegalStateException if nothing is stored yet
     * @since 1.1
     */
    default NamedTensors sampleFrames(int batchSize, Collection<String> keys, Selector selector, RandomGenerator rng) {
        SequenceBatch b = sampleSequences(new SampleRequest(batchSize, 1, Slicing.CROSS_EPISODES, selector), rng);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : keys) {
            if (!b.observations().contains(key)) {
                throw new IllegalArgumentException("no observation named '" + key + "'; there are " + b.observations().names());
            }
            Tensor t = b.observations().get(key); // [B, 1, ...]
            int[] shape = t.shape();
            int[] frame = new int[shape.length - 1];
            frame[0] = shape[0];
            System.arraycopy(shape, 2, frame, 1, shape.length - 2);
            out.put(key, t.reshape(frame));
        }
        return NamedTensors.of(out);
    }

    /** {@link #sampleFrames(int, Collection, Selector, RandomGenerator)} with the uniform selector. */
    default NamedTensors sampleFrames(int batchSize, Collection<String> keys, RandomGenerator rng) {
        return sampleFrames(batchSize, keys, Selector.uniform(), rng);
    }

    /**
     * The most recent finished episodes, oldest first, at most {@code max} of them (World Models
     * trains its VAE and MDN-RNN on whole episodes). Each is a copy the caller owns; to read
     * every episode without copying, use {@link #forEachEpisode}.
     */
    List<Episode> recentEpisodes(int max);

    /**
     * Visits every stored finished episode, oldest first (in the order they finished), with its
     * id; the host's disk store indexes only the newest 2^20 finished episodes and visits those.
     * The host's stores hand out read-only views of their own memory (a mapped chunk file,
     * or the in-memory store's columns), so reading all episodes copies nothing; an episode the
     * disk store holds across two chunk files is the exception, assembled in a copy. A view is
     * valid during the call only: copy what you keep. The store must not be appended to during
     * the visit (the host appends only between the agent's calls, so an agent never sees that).
     *
     * <p>The default visits the copies of {@link #recentEpisodes}.
     *
     * @since 1.1
     */
    default void forEachEpisode(Consumer<? super Episode> visitor) {
        recentEpisodes(Integer.MAX_VALUE).forEach(visitor);
    }
}
