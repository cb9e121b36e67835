package io.worldgate.bench.gpu;

/**
 * Wall seconds per update after a warm-up. Each update must end by reading a value back to the
 * host (the agents' updates return their losses as numbers), so that a GPU's queued work is
 * counted where it runs, not where it was queued.
 */
public final class UpdateClock {
    private UpdateClock() {}

    public static double secondsPerUpdate(int warmup, int updates, Runnable update) {
        for (int i = 0; i < warmup; i++) {
            update.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            update.run();
        }
        return (System.nanoTime() - t0) / 1e9 / updates;
    }
}
