package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StepDeadlineTest {

    @Test
    void theCeilingUntilStepsHaveBeenTimedThenTenTimesTheP99WithinFloorAndCeiling() {
        StepDeadline d = new StepDeadline(Duration.ofSeconds(5), Duration.ofSeconds(60));
        for (int i = 0; i < StepDeadline.WARM_UP - 1; i++) {
            d.record(Duration.ofMillis(1).toNanos());
            assertThat(d.current()).isEqualTo(Duration.ofSeconds(60));
        }
        d.record(Duration.ofMillis(1).toNanos());
        assertThat(d.current()).as("fast steps: the floor").isEqualTo(Duration.ofSeconds(5));
        for (int i = 0; i < StepDeadline.WINDOW; i++) {
            d.record(Duration.ofMillis(i % 50 == 0 ? 1000 : 800).toNanos());
        }
        assertThat(d.current()).as("slow steps: 10 x p99").isEqualTo(Duration.ofSeconds(10));
        for (int i = 0; i < StepDeadline.WINDOW; i++) {
            d.record(Duration.ofSeconds(20).toNanos());
        }
        assertThat(d.current()).as("never beyond the ceiling").isEqualTo(Duration.ofSeconds(60));
    }
}
