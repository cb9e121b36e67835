package io.worldgate.gateway.run.internal.experience;

import io.worldgate.gateway.run.internal.experience.StepReader.StepRef;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Every stored step equally likely: a step number drawn uniformly, found by binary search over
 * the sealed chunks' running totals (O(log chunks)), or among the staging chunks after them.
 */
final class UniformSteps implements StepSelector {
    private final ChunkQueue sealed;
    private final List<EnvStream> streams;
    private final long total;

    UniformSteps(ChunkQueue sealed, List<EnvStream> streams, long stagingSteps) {
        this.sealed = sealed;
        this.streams = streams;
        this.total = sealed.steps() + stagingSteps;
    }

    @Override
    public StepRef pick(RandomGenerator rng) {
        long k = rng.nextLong(total);
        if (k < sealed.steps()) {
            int index = sealed.find(k);
            return new StepRef(sealed.get(index), sealed.offsetIn(index, k));
        }
        k -= sealed.steps();
        for (EnvStream s : streams) {
            if (s.staging != null) {
                if (k < s.staging.count) {
                    return new StepRef(s.staging, (int) k);
                }
                k -= s.staging.count;
            }
        }
        throw new IllegalStateException("step " + k + " past the staging chunks");
    }
}
