package io.worldgate.gateway.run.internal;

/**
 * Something a run does every {@code every} steps (an evaluation, a checkpoint): due at the first
 * multiple of {@code every} past the step the run starts at, then every {@code every} steps. The
 * run's step jumps by whole batches, so "due" means reached or passed; a jump over several
 * multiples makes it due once. {@code every <= 0} means never.
 */
public final class StepSchedule {
    private final long every;
    private long next;

    public StepSchedule(long every, long startStep) {
        this.every = every;
        this.next = every > 0 ? (startStep / every + 1) * every : Long.MAX_VALUE;
    }

    /** Whether it is due at {@code step}; when it is, the next time is set. */
    public boolean due(long step) {
        if (step < next) {
            return false;
        }
        next += every;
        return true;
    }
}
