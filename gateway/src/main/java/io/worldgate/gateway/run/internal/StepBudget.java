package io.worldgate.gateway.run.internal;

import java.util.function.IntPredicate;

/**
 * A run's accounting of environment steps and agent updates. The budget counts simulator steps,
 * exactly: a stand-in row of an env whose worker restarts is none, and when fewer steps are left
 * than environments, the last batch counts only the first ones (all are stepped together; the rest
 * go to no count, return or metric, only to the experience). Updates follow the replay ratio: each
 * counted step past the prefill earns {@code trainRatio} of an update, and the whole ones are due.
 */
public final class StepBudget {
    private final long totalSteps;
    private final double trainRatio;
    private final long prefillSteps;
    /** The fraction of an update earned but not yet due, carried to the next step. */
    private double pendingUpdates;

    public StepBudget(long totalSteps, double trainRatio, long prefillSteps) {
        this.totalSteps = totalSteps;
        this.trainRatio = trainRatio;
        this.prefillSteps = prefillSteps;
    }

    /**
     * Marks in {@code counts} which of the batch's envs count, the run being at {@code step}, and
     * returns how many do.
     *
     * @param waiting whether env {@code i}'s row stands in for a restarting worker
     */
    public int count(long step, IntPredicate waiting, boolean[] counts) {
        long left = totalSteps - step;
        int counted = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = counted < left && !waiting.test(i);
            counted += counts[i] ? 1 : 0;
        }
        return counted;
    }

    /** The updates due after {@code counted} steps took the run to {@code step}; 0 while training is off or prefilling. */
    public int updatesDue(int counted, long step) {
        if (!(trainRatio > 0) || step < prefillSteps) {
            return 0;
        }
        pendingUpdates += counted * trainRatio;
        int due = (int) pendingUpdates;
        pendingUpdates -= due;
        return due;
    }
}
