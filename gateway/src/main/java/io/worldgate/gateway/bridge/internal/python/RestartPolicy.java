package io.worldgate.gateway.bridge.internal.python;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When a vectorized env gives up on its workers, and how long it waits before starting one again:
 * it gives up at {@code maxFailures} failures within {@code window} (of all its workers together),
 * and the wait doubles with each failure in the window, from {@code backoffInitial} up to
 * {@code backoffMax}.
 *
 * <p>Hand-written rather than taken from resilience4j or Failsafe, although both were weighed: their
 * retries count the attempts of one call and their backoff follows that count, whereas here
 * failures of different workers, met on different calls (a step, a reset, a restart that failed),
 * share one window and one backoff; resilience4j's circuit breaker opens on a failure rate over
 * whole-second buckets, not on a number of failures within a window (its maintainers say so in
 * resilience4j issue 785), and both libraries' breakers close again after a while, whereas an env
 * that gave up stays broken. Expressing this policy through either would take more code than the
 * counter itself.
 */
final class RestartPolicy {
    /** Beyond 2^20 times the initial backoff the cap has long been reached; the bound keeps the shift defined. */
    private static final int MAX_DOUBLINGS = 20;

    private final int maxFailures;
    private final Duration window;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final Deque<Long> failureTimes = new ArrayDeque<>();

    RestartPolicy(int maxFailures, Duration window, Duration backoffInitial, Duration backoffMax) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
    }

    /** Counts a failure at {@code nowNanos} ({@link System#nanoTime}) and forgets those now outside the window. */
    void recordFailure(long nowNanos) {
        failureTimes.addLast(nowNanos);
        while (nowNanos - failureTimes.peekFirst() > window.toNanos()) {
            failureTimes.removeFirst();
        }
    }

    /** The failures within the window, as of the last {@link #recordFailure}. */
    int failuresInWindow() {
        return failureTimes.size();
    }

    /** Whether the env must give up. */
    boolean exhausted() {
        return failureTimes.size() >= maxFailures;
    }

    int maxFailures() {
        return maxFailures;
    }

    /** How long to wait before the next restart: doubled with each failure in the window after the first, capped. */
    long backoffMillis() {
        long base = Math.max(0, backoffInitial.toMillis());
        int exp = Math.min(MAX_DOUBLINGS, Math.max(0, failureTimes.size() - 1));
        return Math.min(backoffMax.toMillis(), base << exp);
    }

    /** The window for messages: whole seconds when it is, else milliseconds. */
    String windowText() {
        return window.toMillis() % 1000 == 0 ? window.toSeconds() + " s" : window.toMillis() + " ms";
    }

    Duration window() {
        return window;
    }
}
