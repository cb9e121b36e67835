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

    int zSize() {
        return zSize;
    }

    int size() {
        return episodes.size();
    }

    List<Encoded> episodes() {
        return episodes;
    }

    /**
     * {@code batch} windows of up to {@code steps} transitions from episodes drawn uniformly. A
     * window's first transition is drawn so that every transition of the episode is in a window
     * equally often: a start uniform in {@code [1 - steps, transitions - 1]}, those before the
     * episode's beginning moved to it (the window shorter, padded at its end). Starts uniform in
     * {@code [0, transitions - steps]} would put the last transition, the end M learns to predict, in
     * about {@code 1/steps} as many windows as one in the middle, and M would learn an end rate that
     * many times too low.
     */
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
            int first = rng.nextInt(transitions + steps - 1) - (steps - 1);
            int start = Math.max(first, 0);
            int count = Math.min(first + steps, transitions) - start;
            float[] drawn = new float[(count + 1) * zSize];
            for (int i = 0; i < drawn.length; i++) {
                int k = start * zSize + i;
                drawn[i] = (float) (e.mu()[k] + Math.exp(0.5 * e.logVar()[k]) * Dream.gaussian(rng));
            }
            for (int t = 0; t < count; t++) {
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
