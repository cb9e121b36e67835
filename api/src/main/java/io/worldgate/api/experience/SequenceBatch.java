package io.worldgate.api.experience;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /**
     * A batch of {@code batchSize} sequences of {@code length} steps, all zeros (so all padding,
     * mask 0), for an experience to fill in.
     *
     * @param observations the spec of one step's value of each observation
     * @param action the spec of one step's action
     */
    public static SequenceBatch zeros(Map<String, TensorSpec> observations, TensorSpec action, int batchSize, int length) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observations.forEach((name, spec) -> obs.put(name, Tensor.allocate(spec.dtype(), sequenceShape(batchSize, length, spec))));
        return new SequenceBatch(NamedTensors.of(obs), Tensor.allocate(action.dtype(), sequenceShape(batchSize, length, action)),
                Tensor.allocate(DType.FLOAT32, batchSize, length), Tensor.allocate(DType.FLOAT32, batchSize, length),
                Tensor.allocate(DType.FLOAT32, batchSize, length), Tensor.allocate(DType.FLOAT32, batchSize, length));
    }

    private static int[] sequenceShape(int batchSize, int length, TensorSpec spec) {
        int[] shape = new int[spec.shape().length + 2];
        shape[0] = batchSize;
        shape[1] = length;
        System.arraycopy(spec.shape(), 0, shape, 2, spec.shape().length);
        return shape;
    }

    public int batchSize() {
        return rewards.dim(0);
    }

    public int length() {
        return rewards.dim(1);
    }
}
