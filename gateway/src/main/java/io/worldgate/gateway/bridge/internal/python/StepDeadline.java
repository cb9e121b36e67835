package io.worldgate.gateway.bridge.internal.python;

import java.time.Duration;
import java.util.Arrays;

/**
 * How long a step may take before its worker counts as hung: it follows the step times seen so
 * far, {@code max(floor, FACTOR x p99 of the last WINDOW steps)}, capped by {@code ceiling}. Until
 * {@code WARM_UP} steps have been timed (imports, JIT, first renders) the deadline is the ceiling.
 * A fixed minute would stall a whole run that long for one hung worker; a fixed second would kill
 * workers of slow simulators.
 */
final class StepDeadline {
    static final int WARM_UP = 32;
    static final int WINDOW = 1024;
    static final int FACTOR = 10;
    /** The p99 is recomputed every this many samples: sorting the window at every step would cost more than a step. */
    private static final int REFRESH = 64;

    private final long floorNanos;
    private final long ceilingNanos;
    private final long[] samples = new long[WINDOW];
    private long count;
    private long current;

    StepDeadline(Duration floor, Duration ceiling) {
        this.ceilingNanos = ceiling.toNanos();
        this.floorNanos = Math.min(floor.toNanos(), ceilingNanos);
        this.current = ceilingNanos;
    }

    /** The deadline of the next step. */
    Duration current() {
        return Duration.ofNanos(current);
    }

    /** A step took {@code nanos}, from sending the actions to the last worker's answer. */
    void record(long nanos) {
        samples[(int) (count % WINDOW)] = nanos;
        count++;
        if (count >= WARM_UP && (count == WARM_UP || count % REFRESH == 0)) {
            int size = (int) Math.min(count, WINDOW);
            long[] sorted = Arrays.copyOf(samples, size);
            Arrays.sort(sorted);
            long p99 = sorted[Math.min(size - 1, (int) Math.ceil(size * 0.99) - 1)];
            long scaled = p99 > Long.MAX_VALUE / FACTOR ? Long.MAX_VALUE : p99 * FACTOR;
            current = Math.min(ceilingNanos, Math.max(floorNanos, scaled));
        }
    }
}
