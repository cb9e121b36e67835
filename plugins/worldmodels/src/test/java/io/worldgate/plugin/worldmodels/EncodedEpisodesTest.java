package io.worldgate.plugin.worldmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
            }
        }
    }
}
