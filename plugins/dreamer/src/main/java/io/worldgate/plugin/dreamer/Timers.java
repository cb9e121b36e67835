package io.worldgate.plugin.dreamer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock time per phase of an update (sampling, world model, imagination, actor, critic), for
 * the {@code time/*} metrics and the speed benchmark. Not thread-safe.
 */
final class Timers {
    private final Map<String, long[]> totals = new LinkedHashMap<>();
    private final Map<String, Long> running = new LinkedHashMap<>();
    private Listener listener;

    /** Told where each phase starts and stops (the speed benchmark profiles phases with it). */
    interface Listener {
        void started(String phase);

        void stopped(String phase);
    }

    /** Sets the listener (null: none). */
    void listen(Listener l) {
        listener = l;
    }

    void start(String phase) {
        if (listener != null) {
            listener.started(phase);
        }
        running.put(phase, System.nanoTime());
    }

    void stop(String phase) {
        Long t0 = running.remove(phase);
        if (t0 != null) {
            long[] total = totals.computeIfAbsent(phase, k -> new long[2]);
            total[0] += System.nanoTime() - t0;
            total[1]++;
        }
        if (listener != null) {
            listener.stopped(phase);
        }
    }

    /** Mean milliseconds per call of each phase since the last {@link #reset()}. */
    Map<String, Double> meanMillis() {
        Map<String, Double> out = new LinkedHashMap<>();
        totals.forEach((k, v) -> out.put(k, v[1] == 0 ? 0.0 : v[0] / 1e6 / v[1]));
        return out;
    }

    void reset() {
        totals.clear();
        running.clear();
    }
}
