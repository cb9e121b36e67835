package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void theBackoffDoublesWithEachFailureInTheWindowUpToTheCap() {
        RestartPolicy p = new RestartPolicy(100, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofMillis(1000));
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (int i = 0; i < expected.length; i++) {
            p.recordFailure(i * SECOND);
            assertThat(p.backoffMillis()).as("after failure %d", i + 1).isEqualTo(expected[i]);
        }
    }

    @Test
    void givesUpAtMaxFailuresWithinTheWindowOnly() {
        RestartPolicy p = new RestartPolicy(3, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(5));
        p.recordFailure(0);
        p.recordFailure(5 * SECOND);
        assertThat(p.exhausted()).isFalse();
        // the first failure is 11 s old by now: out of the window, so two failures count, not three
        p.recordFailure(11 * SECOND);
        assertThat(p.failuresInWindow()).isEqualTo(2);
        assertThat(p.exhausted()).isFalse();
        assertThat(p.backoffMillis()).as("the backoff follows the failures in the window").isEqualTo(200);
        p.recordFailure(12 * SECOND);
        assertThat(p.failuresInWindow()).isEqualTo(3);
        assertThat(p.exhausted()).isTrue();
    }

    @Test
    void aFailureExactlyAtTheWindowsEdgeStillCounts() {
        RestartPolicy p = new RestartPolicy(2, Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO);
        p.recordFailure(0);
        p.recordFailure(10 * SECOND);
        assertThat(p.exhausted()).isTrue();
    }

    @Test
    void aLargeFailureCountDoesNotOverflowTheBackoff() {
        RestartPolicy p = new RestartPolicy(1000, Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofSeconds(30));
        for (int i = 0; i < 100; i++) {
            p.recordFailure(i);
        }
        assertThat(p.backoffMillis()).isEqualTo(30_000);
    }

    @Test
    void theWindowReadsInSecondsWhenWholeElseInMilliseconds() {
        assertThat(new RestartPolicy(1, Duration.ofSeconds(60), Duration.ZERO, Duration.ZERO).windowText()).isEqualTo("60 s");
        assertThat(new RestartPolicy(1, Duration.ofMillis(1500), Duration.ZERO, Duration.ZERO).windowText()).isEqualTo("1500 ms");
    }
}
