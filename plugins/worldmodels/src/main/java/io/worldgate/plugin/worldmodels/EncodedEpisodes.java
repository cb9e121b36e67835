package io.worldgate.plugin.worldmodels;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The stored episodes as V sees them, M's training data: per episode, the posterior mean and
 * log-variance of z at every step, the model's action taken there, and whether the episode ended in
 * a terminal state. Each training batch draws a fresh z from the posteriors, as the paper does.
 */
final class EncodedEpisodes {
    /** One episode of {@code length} steps: {@code mu, logVar [length * z]}, {@code actions [length * A]}. */
    record Encoded(int length, float[] mu, float[] logVar, float[] actions, boolean terminated) {}

    /**
     * A batch of windows: inputs {@code z_t, a_t} and targets {@code z_{t+1}} and "ends at
     * {@code t+1}", for {@code B} windows of {@code T} transitions, row-major; {@code mask} is 0 for the
     * padding past a short episode's end.
     */
    record Windows(int batch, int steps, float[] z, float[] actions, float[] nextZ, float[] done, float[] mask) {}

    private final int zSize;
    private final int actionSize;
    private final List<Encoded> episodes = new ArrayList<>();

    EncodedEpisodes(int zSize, int actionSize) {
        this.zSize = zSize;
        this.actionSize = actionSize;
    }

    void add(Encoded e) {
        if (e.length() >= 2) {
            episodes.add(e);
        }
    }

    int size() {
        return episodes.size();
    }

    List<Encoded> episodes() {
        return episodes;
    }

    /** {@code batch} windows of {@code steps} transitions from episodes drawn uniformly, starts uniform within each. */
    Windows sample(int batch, int steps, SplittableRandom rng) {
        if (episodes.isEmpty()) {
            throw new IllegalStateException("no encoded episode of two or more steps");
        }
        float[] z = new float[batch * steps * zSize];
        float[] a = new float[batch * steps * actionSize];
        float[] next = new float[batch * steps * zSize];
        float[] done = new float[batch * steps];
        float[] mask = new float[batch * steps];
        for (int b = 0; b < batch; b++) {
            Encoded e = episodes.get(rng.nextInt(episodes.size()));
            int transitions = e.length() - 1;
            int start = transitions > steps ? rng.nextInt(transitions - steps + 1) : 0;
            float[] drawn = new float[Math.min(steps + 1, e.length()) * zSize];
            for (int i = 0; i < drawn.length; i++) {
                int k = start * zSize + i;
                drawn[i] = (float) (e.mu()[k] + Math.exp(0.5 * e.logVar()[k]) * Dream.gaussian(rng));
            }
            for (int t = 0; t < steps && start + t < transitions; t++) {
                int row = b * steps + t;
                System.arraycopy(drawn, t * zSize, z, row * zSize, zSize);
                System.arraycopy(drawn, (t + 1) * zSize, next, row * zSize, zSize);
                System.arraycopy(e.actions(), (start + t) * actionSize, a, row * actionSize, actionSize);
                done[row] = e.terminated() && start + t + 1 == transitions ? 1f : 0f;
                mask[row] = 1f;
            }
        }
        return new Windows(batch, steps, z, a, next, done, mask);
    }
}
