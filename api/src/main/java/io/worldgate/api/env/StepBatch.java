package io.worldgate.api.env;

import io.worldgate.api.tensor.NamedTensors;
import java.util.Objects;

/**
 * What N environments returned after a reset or a step: one entry per environment.
 *
 * <p>Auto-reset rule: when environment {@code i} ends, its entry carries the <em>final</em>
 * observation of the episode with {@code terminated[i]} or {@code truncated[i]} set. The next
 * step resets it: the action given for it is ignored and its entry carries the first observation
 * of a new episode with {@code isFirst[i]} set, reward 0 and a new episode id.
 *
 * @param observations named observation tensors, batch dimension first
 * @param rewards reward received on arriving at this observation (0 when {@code isFirst})
 * @param terminated the episode reached a terminal state (no bootstrapping past it)
 * @param truncated the episode was cut (time limit, worker restart); the state is not terminal
 * @param isFirst this is the first observation of an episode
 * @param episodeIds the episode each entry belongs to, unique within a run
 */
public record StepBatch(NamedTensors observations, float[] rewards, boolean[] terminated,
        boolean[] truncated, boolean[] isFirst, long[] episodeIds) {
    public StepBatch {
        Objects.requireNonNull(observations, "observations");
        int n = rewards.length;
        if (terminated.length != n || truncated.length != n || isFirst.length != n || episodeIds.length != n) {
            throw new IllegalArgumentException("all per-environment arrays must have the same length " + n);
        }
        if (!observations.names().isEmpty() && observations.batchSize() != n) {
            throw new IllegalArgumentException("observations have batch size " + observations.batchSize() + ", flags " + n);
        }
    }

    /** Number of environments in the batch. */
    public int size() {
        return rewards.length;
    }

    /** Whether environment {@code i}'s episode ended at this step, by termination or truncation. */
    public boolean isLast(int i) {
        return terminated[i] || truncated[i];
    }
}
