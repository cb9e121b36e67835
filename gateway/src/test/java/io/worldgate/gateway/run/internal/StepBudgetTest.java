package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepBudgetTest {

    @Test
    void standInRowsDoNotCountAndTheLastBatchCountsOnlyWhatIsLeft() {
        StepBudget budget = new StepBudget(10, 0, 0);
        boolean[] counts = new boolean[4];
        assertThat(budget.count(0, i -> i == 1, counts)).isEqualTo(3);
        assertThat(counts).containsExactly(true, false, true, true);
        // 2 steps left: the first two envs that are not waiting count
        assertThat(budget.count(8, i -> i == 0, counts)).isEqualTo(2);
        assertThat(counts).containsExactly(false, true, true, false);
    }

    @Test
    void updatesFollowTheRatioCarryingFractionsOnlyPastThePrefill() {
        StepBudget budget = new StepBudget(1000, 0.25, 8);
        assertThat(budget.updatesDue(4, 4)).as("prefilling").isZero();
        assertThat(budget.updatesDue(4, 8)).isEqualTo(1);
        assertThat(budget.updatesDue(2, 10)).as("half an update carried").isZero();
        assertThat(budget.updatesDue(2, 12)).isEqualTo(1);
        assertThat(budget.updatesDue(16, 28)).isEqualTo(4);
    }

    @Test
    void noUpdatesWithoutATrainRatio() {
        assertThat(new StepBudget(1000, 0, 0).updatesDue(100, 100)).isZero();
        assertThat(new StepBudget(1000, Double.NaN, 0).updatesDue(100, 100)).isZero();
    }
}
