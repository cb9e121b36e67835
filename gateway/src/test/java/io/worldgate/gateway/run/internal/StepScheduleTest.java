package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepScheduleTest {

    @Test
    void dueAtEachMultipleReachedOrPassedAfterTheStart() {
        StepSchedule every100 = new StepSchedule(100, 0);
        assertThat(every100.due(96)).isFalse();
        assertThat(every100.due(104)).as("passed 100 in a batch").isTrue();
        assertThat(every100.due(104)).as("once").isFalse();
        assertThat(every100.due(200)).isTrue();
    }

    @Test
    void aResumedRunIsDueAtTheNextMultipleAfterItsStep() {
        StepSchedule s = new StepSchedule(100, 250);
        assertThat(s.due(299)).isFalse();
        assertThat(s.due(300)).isTrue();
        assertThat(new StepSchedule(100, 300).due(300)).as("not again at the step it resumed from").isFalse();
    }

    @Test
    void neverWhenEveryIsNotPositive() {
        assertThat(new StepSchedule(0, 0).due(Long.MAX_VALUE - 1)).isFalse();
    }
}
