package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * M's training windows cover every transition of an episode equally often, its last one (the
 * end M learns to predict) as often as one in the middle; otherwise M learns an end rate below
 * the true one and the dream's episodes outlast the real ones.
 */
class EncodedEpisodesTest {
    static final int Z = 2;
    static final int A = 3;

    /** One terminated episode of {@code length} steps whose z at step t is (t, -t). */
    static EncodedEpisodes oneEpisode(int length) {
        EncodedEpisodes e = new EncodedEpisodes(Z, A);
        float[] mu = new float[length * Z];
        float[] logVar = new float[length * Z];
        for (int t = 0; t < length; t++) {
            mu[t * Z] = t;
            mu[t * Z + 1] = -t;
            logVar[t * Z] = -40f; // z is drawn from the posterior: a tiny variance keeps t readable
            logVar[t * Z + 1] = -40f;
        }
        e.add(new EncodedEpisodes.Encoded(length, mu, logVar, new float[length * A], true));
        return e;
    }

    @Test
    void everyTransitionIsCoveredEquallyOftenTheLastOneIncluded() {
        int length = 101; // 100 transitions
        int steps = 32;
        EncodedEpisodes episodes = oneEpisode(length);
        SplittableRandom rng = new SplittableRandom(7);
        long[] covered = new long[length - 1];
        long rows = 0;
        long ends = 0;
        for (int draw = 0; draw < 4_000; draw++) {
            EncodedEpisodes.Windows w = episodes.sample(8, steps, rng);
            for (int r = 0; r < w.batch() * w.steps(); r++) {
                if (w.mask()[r] == 0f) {
                    continue;
                }
                int t = Math.round(w.z()[r * Z]);
                assertThat(w.nextZ()[r * Z]).isCloseTo(t + 1f, within(1e-3f));
                assertThat(w.done()[r]).isEqualTo(t == length - 2 ? 1f : 0f);
                covered[t]++;
                rows++;
                ends += (long) w.done()[r];
            }
        }
        double perTransition = rows / (double) covered.length;
        assertThat(covered[covered.length - 1] / perTransition).as("the last transition's coverage").isBetween(0.9, 1.1);
        assertThat(covered[0] / perTransition).as("the first transition's coverage").isBetween(0.9, 1.1);
        assertThat(covered[covered.length / 2] / perTransition).as("a middle transition's coverage").isBetween(0.9, 1.1);
        assertThat(ends / (double) rows).as("the rate of ends M is taught").isCloseTo(1.0 / covered.length, within(0.001));
    }

    /**
     * Tiny episodes of known lengths (3, 1, 6, 2 and 4 transitions, 16 in all; the second and fourth
     * truncated, so no end is taught there): z's first coordinate is {@code 100 e + t} (episode e, step t;
     * a tiny variance), its second has unit variance, so a draw can be followed from one window into
     * the next.
     */
    static final int[] LENGTHS = {4, 2, 7, 3, 5};

    static EncodedEpisodes handMade() {
        EncodedEpisodes out = new EncodedEpisodes(Z, A);
        for (int e = 0; e < LENGTHS.length; e++) {
            int n = LENGTHS[e];
            float[] mu = new float[n * Z];
            float[] logVar = new float[n * Z];
            for (int t = 0; t < n; t++) {
                mu[t * Z] = 100 * e + t;
                logVar[t * Z] = -40f;
            }
            out.add(new EncodedEpisodes.Encoded(n, mu, logVar, new float[n * A], e % 2 == 0));
        }
        return out;
    }

    /** One row's masked-in steps over a whole pass, in order: {episode, step, reset, done}, and its z draws. */
    record Played(List<int[]> steps, List<float[]> z, List<float[]> next) {}

    static Played[] playPass(EncodedEpisodes.Streams pass, int batch, int steps, SplittableRandom rng) {
        Played[] rows = new Played[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = new Played(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
        boolean[] padded = new boolean[batch];
        while (pass.hasNext()) {
            EncodedEpisodes.Windows w = pass.next(rng);
            assertThat(w.batch()).isEqualTo(batch);
            assertThat(w.steps()).isEqualTo(steps);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    int r = b * steps + t;
                    if (w.mask()[r] == 0f) {
                        padded[b] = true;
                        assertThat(w.reset()[r] + w.done()[r]).as("a padded step").isZero();
                        continue;
                    }
                    assertThat(padded[b]).as("row %d used after its padding", b).isFalse();
                    int code = Math.round(w.z()[r * Z]);
                    rows[b].steps().add(new int[] {code / 100, code % 100, (int) w.reset()[r], (int) w.done()[r]});
                    rows[b].z().add(Arrays.copyOfRange(w.z(), r * Z, r * Z + Z));
                    rows[b].next().add(Arrays.copyOfRange(w.nextZ(), r * Z, r * Z + Z));
                }
            }
        }
        return rows;
    }

    @Test
    void aPassOfStreamsHasEveryTransitionOnceInOrderWithinARowAndResetsExactlyWhereAnEpisodeBegins() {
        EncodedEpisodes episodes = handMade();
        assertThat(episodes.transitions()).isEqualTo(16);
        SplittableRandom rng = new SplittableRandom(5);
        Set<String> orders = new HashSet<>();
        for (int batch : new int[] {1, 2, 3, 7}) {
            for (int pass = 0; pass < 20; pass++) {
                int steps = 3;
                EncodedEpisodes.Streams streams = episodes.streams(batch, steps, rng);
                orders.add(Arrays.deepToString(streams.rows()));
                long longest = 0;
                for (int[] row : streams.rows()) {
                    longest = Math.max(longest, Arrays.stream(row).map(e -> LENGTHS[e] - 1).sum());
                }
                assertThat(streams.windows()).isEqualTo((int) ((longest + steps - 1) / steps));
                if (batch == 1) {
                    assertThat(streams.windows()).as("16 transitions in windows of 3").isEqualTo(6);
                }
                Played[] rows = playPass(streams, batch, steps, rng);
                int[][] seen = new int[LENGTHS.length][];
                for (int e = 0; e < LENGTHS.length; e++) {
                    seen[e] = new int[LENGTHS[e] - 1];
                }
                for (int b = 0; b < batch; b++) {
                    List<int[]> row = rows[b].steps();
                    // the row plays the episodes it was dealt, whole and in the dealt order
                    List<Integer> expected = new ArrayList<>();
                    for (int e : streams.rows()[b]) {
                        for (int t = 0; t < LENGTHS[e] - 1; t++) {
                            expected.add(100 * e + t);
                        }
                    }
                    assertThat(row.stream().map(s -> 100 * s[0] + s[1]).toList()).as("row %d", b).isEqualTo(expected);
                    for (int i = 0; i < row.size(); i++) {
                        int[] s = row.get(i);
                        seen[s[0]][s[1]]++;
                        assertThat(s[2]).as("reset at episode %d step %d", s[0], s[1]).isEqualTo(s[1] == 0 ? 1 : 0);
                        boolean last = s[1] == LENGTHS[s[0]] - 2;
                        assertThat(s[3]).as("end at episode %d step %d", s[0], s[1])
                                .isEqualTo(last && s[0] % 2 == 0 ? 1 : 0);
                        assertThat(rows[b].next().get(i)[0]).isCloseTo(s[1] + 1 + 100 * s[0], within(1e-3f));
                        if (s[1] > 0) {
                            // z at this step is the draw that was the previous step's target, across windows too
                            assertThat(rows[b].z().get(i)).containsExactly(rows[b].next().get(i - 1));
                        }
                    }
                }
                for (int[] e : seen) {
                    assertThat(e).as("every transition once in the pass").containsOnly(1);
                }
            }
        }
        assertThat(orders.size()).as("the episodes are dealt in random orders").isGreaterThan(10);
    }

    /**
     * The longest episode first, each to the row with the fewest transitions: of 6, 4, 3, 2 and 1
     * transitions, 2 rows get {6, 2} and {4, 3, 1}, 8 each; 3 rows get {6}, {4, 1} and {3, 2}.
     */
    @Test
    void theRowsAreDealtWholeEpisodesAndBalanced() {
        EncodedEpisodes episodes = handMade();
        SplittableRandom rng = new SplittableRandom(9);
        for (int pass = 0; pass < 50; pass++) {
            EncodedEpisodes.Streams two = episodes.streams(2, 4, rng);
            int[][] rows = two.rows();
            assertThat(Arrays.stream(rows).flatMapToInt(Arrays::stream).sorted().toArray()).containsExactly(0, 1, 2, 3, 4);
            assertThat(Arrays.stream(rows[0]).sorted().toArray()).containsExactly(2, 3);
            assertThat(Arrays.stream(rows[1]).sorted().toArray()).containsExactly(0, 1, 4);
            assertThat(two.windows()).as("8 transitions a row in windows of 4").isEqualTo(2);
            int[][] three = episodes.streams(3, 4, rng).rows();
            assertThat(Arrays.stream(three).map(r -> Arrays.stream(r).sorted().boxed().toList()).toList())
                    .containsExactly(List.of(2), List.of(1, 4), List.of(0, 3));
        }
        // more rows than episodes: the extra rows are all padding
        EncodedEpisodes.Streams wide = episodes.streams(7, 4, rng);
        assertThat(Arrays.stream(wide.rows()).filter(r -> r.length == 0).count()).isEqualTo(2);
        assertThat(wide.windows()).as("the longest row: one episode of 6 transitions").isEqualTo(2);
    }

    @Test
    void aWindowBeginsAtItsFirstRowAndIsMaskedOnlyAfterTheEpisodesEnd() {
        EncodedEpisodes episodes = oneEpisode(101);
        SplittableRandom rng = new SplittableRandom(3);
        for (int draw = 0; draw < 200; draw++) {
            EncodedEpisodes.Windows w = episodes.sample(4, 32, rng);
            for (int b = 0; b < w.batch(); b++) {
                boolean masked = false;
                for (int t = 0; t < w.steps(); t++) {
                    float m = w.mask()[b * w.steps() + t];
                    assertThat(masked && m == 1f).as("a used row after padding").isFalse();
                    masked |= m == 0f;
                }
                assertThat(w.mask()[b * w.steps()]).as("a window's first row is used").isEqualTo(1f);
                for (int t = 0; t < w.steps(); t++) {
                    assertThat(w.reset()[b * w.steps() + t]).as("each window from a zero state").isEqualTo(t == 0 ? 1f : 0f);
                }
            }
        }
    }
}
