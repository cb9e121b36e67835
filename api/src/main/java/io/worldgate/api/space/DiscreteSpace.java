package io.worldgate.api.space;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * One of {@code n} choices, {@code 0 .. n-1}. A batch of N values is an int32 tensor of shape
 * {@code [N]}.
 *
 * @param n number of choices, at least 1
 */
public record DiscreteSpace(int n) implements Space {
    public DiscreteSpace {
        if (n < 1) {
            throw new IllegalArgumentException("a discrete space needs at least one choice, got " + n);
        }
    }

    @Override
    public TensorSpec tensorSpec() {
        return new TensorSpec(DType.INT32, new int[0]);
    }

    @Override
    public Optional<String> validateBatch(Tensor batch, int batchSize) {
        if (batch.dtype() != DType.INT32) {
            return Optional.of("discrete actions must be INT32, got " + batch.dtype());
        }
        if (!Arrays.equals(batch.shape(), new int[] {batchSize})) {
            return Optional.of("expected shape [" + batchSize + "], got " + Arrays.toString(batch.shape()));
        }
        for (int i = 0; i < batchSize; i++) {
            int a = batch.getInt(i);
            if (a < 0 || a >= n) {
                return Optional.of("entry " + i + " is " + a + ", outside 0.." + (n - 1));
            }
        }
        return Optional.empty();
    }
}
