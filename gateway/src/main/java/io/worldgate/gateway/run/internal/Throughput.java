package io.worldgate.gateway.run.internal;

/**
 * Environment steps per second, measured over windows of at least a second, so that one slow
 * batch (a checkpoint, an evaluation) does not make the number jump. Until the first window closes
 * the rate so far stands in, so that a new run does not show 0.
 */
public final class Throughput {
    private static final double WINDOW_SECONDS = 1;

    private long windowStart;
    private long windowSteps;
    private volatile double perSecond;

    /** Opens the first window, when the run starts stepping. */
    public void start(long nowNanos) {
        windowStart = nowNanos;
        windowSteps = 0;
    }

    public void add(int steps) {
        windowSteps += steps;
    }

    /** Updates the rate; returns true when a window closed, so that the new rate is worth recording. */
    public boolean sample(long nowNanos) {
        double seconds = (nowNanos - windowStart) / 1e9;
        if (seconds > WINDOW_SECONDS) {
            perSecond = windowSteps / seconds;
            windowStart = nowNanos;
            windowSteps = 0;
            return true;
        }
        if (perSecond == 0 && seconds > 0) {
            perSecond = windowSteps / seconds;
        }
        return false;
    }

    public double perSecond() {
        return perSecond;
    }
}
