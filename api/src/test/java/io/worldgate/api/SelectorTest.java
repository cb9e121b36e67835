package io.worldgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.Slicing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SelectorTest {
    /**
     * Half-life 1, ages 0..3: weights 1, 1/2, 1/4, 1/8, so probabilities 8/15, 4/15, 2/15, 1/15.
     * 150,000 draws: each count within 1% of the draws of its expectation (over 7 standard deviations).
     */
    @Test
    void recencyAgesFollowTheirWeights() {
        Selector.Recency r = new Selector.Recency(1);
        long[] counts = new long[4];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 150_000; i++) {
            counts[(int) r.sampleAge(3, rng)]++;
        }
        assertThat(counts[0]).isBetween(78_500L, 81_500L);
        assertThat(counts[1]).isBetween(38_500L, 41_500L);
        assertThat(counts[2]).isBetween(18_500L, 21_500L);
        assertThat(counts[3]).isBetween(8_500L, 11_500L);
        assertThat(r.weight(2)).isEqualTo(0.25);
    }

    @Test
    void aLongHalfLifeIsNearlyUniformAndAgeZeroIsAlwaysPossible() {
        Selector.Recency r = new Selector.Recency(1e12);
        long[] counts = new long[5];
        SplittableRandom rng = new SplittableRandom(2);
        for (int i = 0; i < 50_000; i++) {
            counts[(int) r.sampleAge(4, rng)]++;
        }
        for (long c : counts) {
            assertThat(c).isBetween(9_400L, 10_600L);
        }
        assertThat(new Selector.Recency(0.01).sampleAge(0, rng)).isZero();
    }

    @Test
    void badParametersAreRefused() {
        assertThatThrownBy(() -> Selector.recency(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Selector.recency(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SampleRequest.of(0, 4)).isInstanceOf(IllegalArgumentException.class);
        SampleRequest req = SampleRequest.of(2, 3).withSlicing(Slicing.WITHIN_EPISODE).withSelector(Selector.recency(5));
        assertThat(req).isEqualTo(new SampleRequest(2, 3, Slicing.WITHIN_EPISODE, new Selector.Recency(5)));
    }
}
