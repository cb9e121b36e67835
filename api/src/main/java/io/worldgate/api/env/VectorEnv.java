package io.worldgate.api.env;

import io.worldgate.api.tensor.Tensor;

/**
 * N environments stepped together, as the host sees them (Python workers behind a bridge, or a
 * small environment written in Java). Follows the auto-reset rule of {@link StepBatch}.
 * Not thread-safe: one caller at a time.
 */
public interface VectorEnv extends AutoCloseable {

    /** The environments' spec; {@link EnvSpec#numEnvs()} is N. */
    EnvSpec spec();

    /** Resets every environment; environment {@code i} is seeded with {@code seed + i}. */
    StepBatch reset(long seed);

    /**
     * Steps every environment with its entry of {@code actions} (shape {@code [N, ...]}).
     *
     * @throws IllegalArgumentException if the actions do not belong to the action space; no
     *     environment has been stepped then
     */
    StepBatch step(Tensor actions);

    @Override
    void close();
}
