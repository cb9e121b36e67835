package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;

/**
 * A learnt policy that proposes actions to seed a planner's search (TD-MPC2 rolls a share of its
 * trajectories out with it).
 */
@FunctionalInterface
public interface ActionPrior {

    /** One sampled action per latent of {@code z [B, Z]}: {@code [B, A]} in {@code [-1, 1]}. */
    NDArray sample(NDArray z);
}
