package io.worldgate.gateway.run.internal;

import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells what a run does to everyone who follows it: its listeners (the service's streams, the
 * status file, the CLI), its metrics writer and the log. Each report carries the run's status and
 * step at the time it is made.
 */
public final class RunReporter {
    private static final Logger LOG = LoggerFactory.getLogger(RunReporter.class);

    private final String runId;
    private final MetricsWriter writer;
    private final LongSupplier step;
    private final Supplier<RunStatus> status;
    private final List<RunListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param step the run's current env step
     * @param status the run's current status
     */
    public RunReporter(String runId, MetricsWriter writer, List<RunListener> listeners, LongSupplier step,
            Supplier<RunStatus> status) {
        this.runId = runId;
        this.writer = writer;
        this.listeners.addAll(listeners);
        this.step = step;
        this.status = status;
    }

    public void addListener(RunListener listener) {
        listeners.add(listener);
    }

    public void removeListener(RunListener listener) {
        listeners.remove(listener);
    }

    /** A scalar at the current step, to the metrics writer and the listeners. */
    public void scalar(String tag, double value) {
        long at = step.getAsLong();
        writer.scalar(tag, value, at);
        listeners.forEach(l -> l.onScalar(tag, value, at));
    }

    public void note(String text) {
        event(new RunEvent.Note(step.getAsLong(), text));
    }

    public void event(RunEvent e) {
        LOG.info("run {} at step {}: {}", runId, step.getAsLong(), e.text());
        RunStatus s = status.get();
        for (RunListener l : listeners) {
            try {
                l.onEvent(s, e);
            } catch (RuntimeException failed) {
                // one listener (a client's stream that went away) must not keep the others, such as
                // the status file, from the event
                LOG.warn("run {}: a listener failed on an event: {}", runId, failed.toString());
            }
        }
    }

    /** A new snapshot of the run. */
    public void progress() {
        RunStatus s = status.get();
        listeners.forEach(l -> l.onProgress(s));
    }

    /** An episode finished; the status already counts it. */
    public void episode(double episodeReturn, int length) {
        RunStatus s = status.get();
        listeners.forEach(l -> l.onEpisode(s, episodeReturn, length));
    }
}
