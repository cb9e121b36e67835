package io.worldgate.api.experience;

import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;

/**
 * One whole episode; tensors have shape {@code [T, ...]}, aligned as described in
 * {@link Experience}.
 *
 * @param id episode id, unique within a run
 * @param observations named observations {@code [T, ...]}
 * @param actions action chosen at each step {@code [T, ...]}
 * @param rewards float32 {@code [T]}
 * @param terminated whether the episode ended in a terminal state (else it was truncated)
 */
public record Episode(long id, NamedTensors observations, Tensor actions, Tensor rewards, boolean terminated) {

    public int length() {
        return rewards.dim(0);
    }

    /** Sum of rewards. */
    public double episodeReturn() {
        double sum = 0;
        for (int t = 0; t < length(); t++) {
            sum += rewards.getDouble(t);
        }
        return sum;
    }
}
