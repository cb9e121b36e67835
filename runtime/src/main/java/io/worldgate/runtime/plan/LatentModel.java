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

    /**
     * The first step of {@code count} candidates from each latent: latents {@code z [N, Z]}, and
     * actions {@code a [N * count, A]} whose rows {@code n * count .. n * count + count - 1} start
     * from {@code z[n]}. The same values as {@link #next} and {@link #reward} on {@code z} repeated
     * {@code count} times (which this default does); a model whose first layer is linear in
     * {@code (z, a)} can compute the latent's share once per latent instead of once per row.
     */
    default Step fromEach(NDArray z, int count, NDArray a) {
        NDArray rows = Candidates.repeatRows(z, count);
        return new Step(next(rows, a), reward(rows, a));
    }

    /** The next latents {@code [B, Z]} and rewards {@code [B]} of one step. */
    record Step(NDArray next, NDArray reward) {}

    /** The discount applied per step of the horizon, in {@code (0, 1]}. */
    default double discount() {
        return 1.0;
    }
}
