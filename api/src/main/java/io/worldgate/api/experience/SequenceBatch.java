package io.worldgate.api.experience;

import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;

/**
 * {@code B} sequences of {@code T} steps; every tensor has shape {@code [B, T, ...]}. See
 * {@link Experience} for how the fields of one step line up.
 *
 * @param observations named observations {@code [B, T, ...]}
 * @param actions action chosen at each step {@code [B, T, ...]} (int32 for discrete spaces)
 * @param rewards float32 {@code [B, T]}
 * @param isFirst float32 {@code [B, T]}, 1 at the first step of an episode
 * @param isTerminal float32 {@code [B, T]}, 1 where the episode terminated (not truncated)
 * @param mask float32 {@code [B, T]}, 1 for real steps and 0 for padding
 */
public record SequenceBatch(NamedTensors observations, Tensor actions, Tensor rewards, Tensor isFirst,
        Tensor isTerminal, Tensor mask) {

    public int batchSize() {
        return rewards.dim(0);
    }

    public int length() {
        return rewards.dim(1);
    }
}
