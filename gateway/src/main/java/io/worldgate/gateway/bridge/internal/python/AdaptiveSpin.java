package io.worldgate.gateway.bridge.internal.python;

import java.util.function.BooleanSupplier;

/**
 * Busy-waits for an answer for up to a budget before the caller sleeps on the doorbell, only
 * where it pays. Sleeping in a read and being woken by the worker's byte costs a wake-up on
 * another core, 30-40 us on a small machine and most of a cheap step's round trip; watching the
 * step channel's counter avoids it when the answer is about to come. Watching holds a core for as
 * long as it lasts, so it is done only while the waits have lately been shorter than the budget
 * (slow steps, such as rendered frames, stop it), with a probe every {@link #PROBE_EVERY} waits
 * to notice when they become short again. On a busy machine watching does harm: the other side
 * waits for a core that the watcher holds, and the watcher itself is preempted. So a watch that
 * finds itself preempted (a gap of {@link #PREEMPTED_NANOS} between two looks) stops watching for
 * the next {@link #BACK_OFF_WAITS} waits. The worker's {@code spin.py} follows the same rules.
 * Not thread-safe: one per connection, used by the thread that waits for its answers.
 */
final class AdaptiveSpin {
    /** A wait in this many is watched even when the last one was longer than the budget. */
    static final int PROBE_EVERY = 16;
    /** A gap this long between two looks means the watching thread lost its core to another. */
    static final long PREEMPTED_NANOS = 50_000;
    /** Waits that are not watched after a watch was preempted. */
    static final int BACK_OFF_WAITS = 256;

    private final long budgetNanos;
    private final long preemptedNanos;
    private long lastWaitNanos;
    private long waits;
    private long start;
    private long watchAgainAt;

    AdaptiveSpin(long budgetMicros) {
        this(budgetMicros, PREEMPTED_NANOS);
    }

    /** With another preemption threshold: tests of the other rules use one that a busy machine cannot reach. */
    AdaptiveSpin(long budgetMicros, long preemptedNanos) {
        this.budgetNanos = Math.max(0, budgetMicros) * 1000;
        this.preemptedNanos = preemptedNanos;
    }

    /**
     * Whether {@code ready} turned true while watching, at most until {@code deadlineNanos}
     * ({@link System#nanoTime}). Either way the caller calls {@link #done()} once the answer has
     * come (after sleeping for it when this returned false).
     */
    boolean spin(BooleanSupplier ready, long deadlineNanos) {
        start = System.nanoTime();
        waits++;
        if (budgetNanos == 0 || waits < watchAgainAt || (lastWaitNanos > budgetNanos && waits % PROBE_EVERY != 0)) {
            return false;
        }
        long end = Math.min(deadlineNanos, start + budgetNanos);
        long look = start;
        while (true) {
            if (ready.getAsBoolean()) {
                return true;
            }
            long now = System.nanoTime();
            if (now - look > preemptedNanos) {
                watchAgainAt = waits + BACK_OFF_WAITS;
                return false;
            }
            if (now - end >= 0) {
                return false;
            }
            look = now;
            Thread.onSpinWait();
        }
    }

    /** The answer came: remembers how long this wait took. */
    void done() {
        lastWaitNanos = System.nanoTime() - start;
    }
}
