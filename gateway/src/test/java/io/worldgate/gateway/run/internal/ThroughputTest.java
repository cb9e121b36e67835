package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThroughputTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theRateSoFarStandsInUntilAWindowOfOverASecondCloses() {
        Throughput t = new Throughput();
        t.start(0);
        t.add(50);
        assertThat(t.sample(SECOND / 2)).isFalse();
        assertThat(t.perSecond()).isEqualTo(100.0);
        t.add(50);
        assertThat(t.sample(SECOND * 3 / 4)).as("the stand-in is not replaced").isFalse();
        assertThat(t.perSecond()).isEqualTo(100.0);
        t.add(100);
        assertThat(t.sample(2 * SECOND)).as("a window closed").isTrue();
        assertThat(t.perSecond()).isEqualTo(100.0);
        t.add(30);
        assertThat(t.sample(3 * SECOND + SECOND / 2)).isTrue();
        assertThat(t.perSecond()).isEqualTo(20.0);
    }
}
