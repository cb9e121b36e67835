package io.worldgate.plugin.worldmodels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
     * padding past a short episode's end (or a stream's); {@code reset} is 1 where M's LSTM state is
     * zeroed before the step: where an episode begins in a stream ({@link #streams}), at every
     * window's first step otherwise ({@link #sample}).
     */
    record Windows(int batch, int steps, float[] z, float[] actions, float[] nextZ, float[] done, float[] mask,
            float[] reset) {
        /** All zeros (every step padding), for {@code batch} windows of {@code steps}; the samplers fill them in. */
        static Windows empty(int batch, int steps, int zSize, int actionSize) {
            return new Windows(batch, steps, new float[batch * steps * zSize], new float[batch * steps * actionSize],
                    new float[batch * steps * zSize], new float[batch * steps], new float[batch * steps], new float[batch * steps]);
        }
    }

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
        Windows w = Windows.empty(batch, steps, zSize, actionSize);
        for (int b = 0; b < batch; b++) {
            w.reset()[b * steps] = 1f;
            Encoded e = episodes.get(rng.nextInt(episodes.size()));
            int transitions = e.length() - 1;
            int first = rng.nextInt(transitions + steps - 1) - (steps - 1);
            int start = Math.max(first, 0);
            int count = Math.min(first + steps, transitions) - start;
            float[] drawn = new float[(count + 1) * zSize];
            for (int j = 0; j <= count; j++) {
                draw(e, start + j, drawn, j * zSize, rng);
            }
            for (int t = 0; t < count; t++) {
                int row = b * steps + t;
                System.arraycopy(drawn, t * zSize, w.z(), row * zSize, zSize);
                System.arraycopy(drawn, (t + 1) * zSize, w.nextZ(), row * zSize, zSize);
                System.arraycopy(e.actions(), (start + t) * actionSize, w.actions(), row * actionSize, actionSize);
                w.done()[row] = e.terminated() && start + t + 1 == transitions ? 1f : 0f;
                w.mask()[row] = 1f;
            }
        }
        return w;
    }

    /** Transitions of all stored episodes (an episode of {@code n} steps has {@code n - 1}). */
    long transitions() {
        long n = 0;
        for (Encoded e : episodes) {
            n += e.length() - 1;
        }
        return n;
    }

    /**
     * One pass over every stored transition as {@code batch} streams, for M's training with its LSTM
     * state carried from window to window ({@code rnn_state=carry}). The episodes are dealt to the
     * rows, the longest first, each to the row with the fewest transitions so far; a row plays its
     * episodes one after another in an order drawn at random, and {@link Streams#next} cuts the rows into consecutive
     * windows of {@code steps} transitions. Every transition is in exactly one window of the pass, in
     * order within its row. Every row begins with an episode, so a pass may begin from a zero state;
     * the state is zeroed again where each later episode begins ({@link Windows#reset}). Rows shorter
     * than the longest are padded at their end.
     */
    Streams streams(int batch, int steps, SplittableRandom rng) {
        if (episodes.isEmpty()) {
            throw new IllegalStateException("no encoded episode of two or more steps");
        }
        // longest first (ties in random order), each to the row with the fewest transitions so far:
        // the rows end up within about an episode's length of each other, little padding
        Integer[] order = new Integer[episodes.size()];
        for (int i = 0; i < order.length; i++) {
            int j = rng.nextInt(i + 1);
            order[i] = order[j];
            order[j] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer e) -> episodes.get(e).length()).reversed());
        long[] load = new long[batch];
        int[] count = new int[batch];
        int[] rowOf = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            int least = 0;
            for (int b = 1; b < batch; b++) {
                if (load[b] < load[least]) {
                    least = b;
                }
            }
            rowOf[i] = least;
            load[least] += episodes.get(order[i]).length() - 1;
            count[least]++;
        }
        int[][] rows = new int[batch][];
        long longest = 0;
        for (int b = 0; b < batch; b++) {
            rows[b] = new int[count[b]];
            count[b] = 0;
            longest = Math.max(longest, load[b]);
        }
        for (int i = 0; i < order.length; i++) {
            rows[rowOf[i]][count[rowOf[i]]++] = order[i];
        }
        for (int[] row : rows) {
            for (int i = row.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int e = row[i];
                row[i] = row[j];
                row[j] = e;
            }
        }
        return new Streams(rows, steps, (int) ((longest + steps - 1) / steps));
    }

    /**
     * The windows of one pass ({@link #streams}), in order: each call to {@link #next} continues every
     * row where the previous window ended. A row's z is drawn from the posteriors once per step, so the
     * target {@code z} of a window's last step is the input {@code z} of the next window's first.
     */
    final class Streams {
        private final int[][] rows;
        private final int steps;
        private final int windows;
        private int window;
        /** Per row: index into its episodes, and the next transition of that episode. */
        private final int[] episode;
        private final int[] transition;
        /** Per row: the z drawn for the step at its cursor (the previous window's last target). */
        private final float[] current;

        private Streams(int[][] rows, int steps, int windows) {
            this.rows = rows;
            this.steps = steps;
            this.windows = windows;
            this.episode = new int[rows.length];
            this.transition = new int[rows.length];
            this.current = new float[rows.length * zSize];
        }

        /** Windows in this pass: the longest row's transitions over {@code steps}, rounded up. */
        int windows() {
            return windows;
        }

        /** The stored episodes' indices each row plays, in order. */
        int[][] rows() {
            return rows;
        }

        boolean hasNext() {
            return window < windows;
        }

        /** The pass's next window of every row, a fresh z drawn from the posteriors for each step. */
        Windows next(SplittableRandom rng) {
            if (!hasNext()) {
                throw new IllegalStateException("the pass's " + windows + " windows are all taken");
            }
            window++;
            int batch = rows.length;
            Windows w = Windows.empty(batch, steps, zSize, actionSize);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps && episode[b] < rows[b].length; t++) {
                    Encoded e = episodes.get(rows[b][episode[b]]);
                    int i = transition[b];
                    int row = b * steps + t;
                    if (i == 0) {
                        draw(e, 0, current, b * zSize, rng);
                        w.reset()[row] = 1f;
                    }
                    System.arraycopy(current, b * zSize, w.z(), row * zSize, zSize);
                    draw(e, i + 1, w.nextZ(), row * zSize, rng);
                    System.arraycopy(w.nextZ(), row * zSize, current, b * zSize, zSize);
                    System.arraycopy(e.actions(), i * actionSize, w.actions(), row * actionSize, actionSize);
                    w.done()[row] = e.terminated() && i + 1 == e.length() - 1 ? 1f : 0f;
                    w.mask()[row] = 1f;
                    transition[b]++;
                    if (transition[b] == e.length() - 1) {
                        episode[b]++;
                        transition[b] = 0;
                    }
                }
            }
            return w;
        }
    }

    /** Step {@code step}'s z drawn from V's posterior, into {@code into} at {@code offset}. */
    private void draw(Encoded e, int step, float[] into, int offset, SplittableRandom rng) {
        for (int d = 0; d < zSize; d++) {
            int k = step * zSize + d;
            into[offset + d] = (float) (e.mu()[k] + Math.exp(0.5 * e.logVar()[k]) * Dream.gaussian(rng));
        }
    }
}
