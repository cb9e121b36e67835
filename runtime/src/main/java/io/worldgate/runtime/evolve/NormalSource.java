package io.worldgate.runtime.evolve;

/**
 * Standard normal numbers from a SplitMix64 stream (Box-Muller, the second value kept for the
 * next call). Written here rather than taken from {@code java.util} because a CMA-ES checkpoint
 * must hold the generator's exact state, which {@code Random} and {@code SplittableRandom} do not
 * expose.
 */
final class NormalSource {
    private long state;
    private boolean hasSpare;
    private double spare;

    NormalSource(long seed) {
        this.state = seed;
    }

    private NormalSource(long state, boolean hasSpare, double spare) {
        this.state = state;
        this.hasSpare = hasSpare;
        this.spare = spare;
    }

    NormalSource copy() {
        return new NormalSource(state, hasSpare, spare);
    }

    long state() {
        return state;
    }

    boolean hasSpare() {
        return hasSpare;
    }

    double spare() {
        return spare;
    }

    static NormalSource restore(long state, boolean hasSpare, double spare) {
        return new NormalSource(state, hasSpare, spare);
    }

    private long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in (0, 1]: never 0, so that its logarithm is finite. */
    private double uniformOpenZero() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double radius = Math.sqrt(-2.0 * Math.log(uniformOpenZero()));
        double angle = 2.0 * Math.PI * uniformOpenZero();
        spare = radius * Math.sin(angle);
        hasSpare = true;
        return radius * Math.cos(angle);
    }
}
