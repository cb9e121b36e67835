package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;

/**
 * What a planner needs of a world model, batched over {@code B} rows: latents {@code z [B, Z]} and
 * actions {@code a [B, A]} in {@code [-1, 1]}. The planner calls it without gradients, inside the
 * caller's act scope; results are attached to the inputs' manager.
 */
public interface LatentModel {

    /** The next latent after taking {@code a} in {@code z}: {@code [B, Z]}. */
    NDArray next(NDArray z, NDArray a);

    /** The reward expected for taking {@code a} in {@code z}: {@code [B]}. */
    NDArray reward(NDArray z, NDArray a);

    /**
     * The value of {@code z} at the end of the horizon, such as {@code Q(z, π(z))}: {@code [B]}.
     * A model without a value returns zeros.
     */
    NDArray terminalValue(NDArray z);

    /** The discount applied per step of the horizon, in {@code (0, 1]}. */
    default double discount() {
        return 1.0;
    }
}
