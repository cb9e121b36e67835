package io.worldgate.gateway.run.internal;

import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import java.util.ArrayDeque;
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
     * The run's typed events so far in this process, newest last, for a listener that asks for them
     * when it joins: a client that subscribes after the run started would otherwise miss the early
     * ones (a fast run can write its first checkpoint before the client's stream is open). Events
     * are rare (checkpoints, swaps, evaluations), so a bound this size keeps every one of a run
     * that writes a checkpoint a minute for days.
     */
    private final ArrayDeque<Told> history = new ArrayDeque<>();
    static final int HISTORY_EVENTS = 4_096;
    private boolean endTold;

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

    /**
     * Listeners are told events under this reporter's lock, so they must not wait for anything the
     * run's thread may hold while it reports (the agent slot's lock): they record, queue or send.
     *
     * <p>Adds a listener, which first hears the run's events so far (at most the last
     * {@value #HISTORY_EVENTS}) if {@code replay}, then the new ones: none missed, none twice, in
     * order. Returns whether the run's end ({@link RunEvent.RunEnded}) was told before the listener
     * joined: if not, the listener will hear it, so a follower knows whether to wait for it.
     */
    public boolean follow(RunListener listener, boolean replay) {
        // Under the lock that event() holds: no event can fall between the replay and the add.
        synchronized (history) {
            if (replay) {
                for (Told t : history) {
                    tell(listener, t.status(), t.event());
                }
            }
            listeners.add(listener);
            return endTold;
        }
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
        // The status before the lock: reading it takes the run's agent-slot lock, and the run's
        // thread tells events while it holds that lock (a lock-order inversion, a deadlock, else).
        RunStatus s = status.get();
        synchronized (history) {
            if (history.size() == HISTORY_EVENTS) {
                history.removeFirst();
            }
            history.addLast(new Told(s, e));
            endTold |= e instanceof RunEvent.RunEnded;
            for (RunListener l : listeners) {
                tell(l, s, e);
            }
        }
    }

    /** An event with the run's status when it happened, as its listeners heard them. */
    private record Told(RunStatus status, RunEvent event) {
    }

    private void tell(RunListener l, RunStatus s, RunEvent e) {
        try {
            l.onEvent(s, e);
        } catch (RuntimeException failed) {
            // one listener (a client's stream that went away) must not keep the others, such as
            // the status file, from the event
            LOG.warn("run {}: a listener failed on an event: {}", runId, failed.toString());
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
