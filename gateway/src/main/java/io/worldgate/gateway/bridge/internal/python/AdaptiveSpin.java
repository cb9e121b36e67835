package io.worldgate.gateway.bridge.internal.python;

import java.util.function.BooleanSupplier;

/**
 * Busy-waits for an answer for up to a budget before the caller sleeps on the doorbell, only
 * where it pays. Sleeping in a read and being woken by the worker's byte costs a wake-up on
 * another core, 30-40 us on a small machine and most of a cheap step's round trip; watching the
 * step channel's counter avoids it when the answer is about to come. Watching holds a core for as
 * long as it lasts, so it is done only while the waits have lately been shorter than the budget
 * (slow steps, such as rendered frames, stop it), with a probe every {@link #PROBE_EVERY} waits
 * to notice when they become short again. The worker's {@code spin.py} follows the same rule.
 * Not thread-safe: one per connection, used by the thread that waits for its answers.
 */
final class AdaptiveSpin {
    /** A wait in this many is watched even when the last one was longer than the budget. */
    static final int PROBE_EVERY = 16;

    private final long budgetNanos;
    private long lastWaitNanos;
    private long waits;
    private long start;

    AdaptiveSpin(long budgetMicros) {
        this.budgetNanos = Math.max(0, budgetMicros) * 1000;
    }

    /**
     * Whether {@code ready} turned true while watching, at most until {@code deadlineNanos}
     * ({@link System#nanoTime}). Either way the caller calls {@link #done()} once the answer has
     * come (after sleeping for it when this returned false).
     */
    boolean spin(BooleanSupplier ready, long deadlineNanos) {
        start = System.nanoTime();
        waits++;
        if (budgetNanos == 0 || (lastWaitNanos > budgetNanos && waits % PROBE_EVERY != 0)) {
            return false;
        }
        long end = Math.min(deadlineNanos, start + budgetNanos);
        while (true) {
            if (ready.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            Thread.onSpinWait();
        }
    }

    /** The answer came: remembers how long this wait took. */
    void done() {
        lastWaitNanos = System.nanoTime() - start;
    }
}
