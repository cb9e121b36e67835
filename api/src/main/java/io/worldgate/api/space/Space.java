package io.worldgate.api.space;

import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.Optional;

/**
 * The set of values an observation or action can take, following Gymnasium's spaces:
 * {@link DiscreteSpace} (one of n choices), {@link BoxSpace} (a bounded array) and
 * {@link DictSpace} (named sub-spaces, used for observations such as {@code image} and
 * {@code state}).
 */
public sealed interface Space permits DiscreteSpace, BoxSpace, DictSpace {

    /**
     * Checks a batch of {@code batchSize} values of this space, as one tensor whose first
     * dimension is the batch. Returns a message saying what is wrong, or empty when valid.
     */
    Optional<String> validateBatch(Tensor batch, int batchSize);

    /** The spec of one value of this space as a tensor (for dict spaces, not defined). */
    TensorSpec tensorSpec();
}
