package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.MetricsWriter;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fans every call out to several writers, in order. A writer that throws does not keep the others
 * from getting the call: all are called, then the first failure is rethrown with the later ones
 * attached as suppressed exceptions. {@link #close} closes every writer the same way.
 */
public final class CompositeMetricsWriter implements MetricsWriter {
    private final List<MetricsWriter> writers;

    public CompositeMetricsWriter(List<? extends MetricsWriter> writers) {
        this.writers = List.copyOf(writers);
    }

    public static CompositeMetricsWriter of(MetricsWriter... writers) {
        return new CompositeMetricsWriter(List.of(writers));
    }

    public List<MetricsWriter> writers() {
        return writers;
    }

    @Override
    public void scalar(String tag, double value, long step) {
        each(w -> w.scalar(tag, value, step));
    }

    @Override
    public void image(String tag, Tensor image, long step) {
        each(w -> w.image(tag, image, step));
    }

    @Override
    public void video(String tag, Tensor frames, double fps, long step) {
        each(w -> w.video(tag, frames, fps, step));
    }

    @Override
    public void flush() {
        each(MetricsWriter::flush);
    }

    @Override
    public void close() {
        each(MetricsWriter::close);
    }

    private void each(Consumer<MetricsWriter> call) {
        RuntimeException failure = null;
        for (MetricsWriter w : writers) {
            try {
                call.accept(w);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
