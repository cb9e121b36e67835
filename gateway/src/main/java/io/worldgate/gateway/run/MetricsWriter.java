package io.worldgate.gateway.run;

import io.worldgate.api.tensor.Tensor;

/**
 * Where a run's metrics go: scalars, images and videos, each stamped with the env step. Called
 * from the run's loop thread and from the agent's calls to its metrics sink.
 */
public interface MetricsWriter extends AutoCloseable {

    /** A scalar such as {@code episode/return} or {@code loss/model}. */
    void scalar(String tag, double value, long step);

    /** An image, uint8 {@code [H, W, C]} with C = 1 or 3. */
    default void image(String tag, Tensor image, long step) {}

    /** A video, uint8 {@code [T, H, W, C]} with C = 1 or 3, played at {@code fps} frames per second. */
    default void video(String tag, Tensor frames, double fps, long step) {}

    /** Pushes buffered output to disk. */
    default void flush() {}

    @Override
    default void close() {}
}
