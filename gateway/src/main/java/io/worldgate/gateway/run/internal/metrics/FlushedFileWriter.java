package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.gateway.run.MetricsWriter;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ScheduledFuture;

/**
 * A metrics writer over one file that is flushed every second in the background (so a crash
 * loses at most the last second), on {@link #flush()}, and on {@link #close()}. Subclasses write
 * under the writer's own lock ({@code synchronized} methods) and call {@link #ensureOpen()} first.
 */
abstract class FlushedFileWriter<S extends Closeable & Flushable> implements MetricsWriter {
    private final Path file;
    private final S stream;
    private final ScheduledFuture<?> flusher;
    private boolean closed;

    FlushedFileWriter(Path file, S stream) {
        this.file = file;
        this.stream = stream;
        this.flusher = BackgroundFlush.every(this::flushIfOpen, file.toString());
    }

    /** The file written. */
    public final Path file() {
        return file;
    }

    /** The stream to write to; only under this writer's lock. */
    final S stream() {
        return stream;
    }

    /** @throws IllegalStateException once the writer is closed */
    final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("closed: " + file);
        }
    }

    @Override
    public final synchronized void flush() {
        if (closed) {
            return;
        }
        try {
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush " + file, e);
        }
    }

    private synchronized void flushIfOpen() throws IOException {
        if (!closed) {
            stream.flush();
        }
    }

    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        flusher.cancel(false);
        try {
            stream.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }
}
