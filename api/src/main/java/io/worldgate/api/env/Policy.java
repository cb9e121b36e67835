package io.worldgate.api.env;

import io.worldgate.api.tensor.Tensor;

/** Chooses actions for a batch of observations; used when an agent runs episodes itself. */
@FunctionalInterface
public interface Policy {
    /** Actions for every entry of {@code observations}, shaped as the action space's batch. */
    Tensor act(StepBatch observations);
}
