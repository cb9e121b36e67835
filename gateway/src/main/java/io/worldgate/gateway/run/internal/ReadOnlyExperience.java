package io.worldgate.gateway.run.internal;

import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.NamedTensors;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The read side of a store and nothing else, so that a plugin handed it cannot reach the store's
 * append methods by a cast.
 */
public record ReadOnlyExperience(Experience store) implements Experience {

    @Override
    public long numSteps() {
        return store.numSteps();
    }

    @Override
    public int numEpisodes() {
        return store.numEpisodes();
    }

    @Override
    public SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        return store.sampleSequences(batchSize, length, rng);
    }

    @Override
    public SequenceBatch sampleSequences(SampleRequest request, RandomGenerator rng) {
        return store.sampleSequences(request, rng);
    }

    @Override
    public NamedTensors sampleFrames(int batchSize, Collection<String> keys, Selector selector, RandomGenerator rng) {
        return store.sampleFrames(batchSize, keys, selector, rng);
    }

    @Override
    public NamedTensors sampleFrames(int batchSize, Collection<String> keys, RandomGenerator rng) {
        return store.sampleFrames(batchSize, keys, rng);
    }

    @Override
    public List<Episode> recentEpisodes(int max) {
        return store.recentEpisodes(max);
    }

    @Override
    public void forEachEpisode(Consumer<? super Episode> visitor) {
        store.forEachEpisode(visitor);
    }
}
