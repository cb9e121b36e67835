package io.worldgate.plugin.tdmpc2;

import java.util.Arrays;

/**
 * TD-MPC2's running scale of Q for the policy loss: an EMA ({@code τ}) of the spread between the
 * 5th and 95th percentiles of a batch of Q values (linear interpolation between order
 * statistics), never below 1. Dividing by it makes the policy's learning rate independent of the
 * task's reward scale while small values are left alone. Starts at 1.
 */
final class QScale {
    private final float tau;
    private double value = 1;

    QScale(float tau) {
        this.tau = tau;
    }

    double value() {
        return value;
    }

    void restore(double v) {
        value = v;
    }

    /** Moves the scale towards {@code max(1, p95 - p5)} of {@code q}. */
    void update(float[] q) {
        if (q.length == 0) {
            return;
        }
        float[] sorted = q.clone();
        Arrays.sort(sorted);
        double spread = Math.max(1, percentile(sorted, 95) - percentile(sorted, 5));
        value += tau * (spread - value);
    }

    static double percentile(float[] sorted, double p) {
        double pos = p * (sorted.length - 1) / 100;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double w = pos - lo;
        return sorted[lo] * (1 - w) + sorted[hi] * w;
    }
}
