package io.worldgate.gateway.run;

/**
 * Tags of the scalars a run writes itself, beside its agent's: what {@link RunListener#onScalar}
 * and the run's {@code metrics.jsonl} carry, and what a client reading them looks for.
 */
public final class RunScalars {
    /** The return of each finished training episode, at the step it ended. */
    public static final String EPISODE_RETURN = "episode/return";
    /** The mean return of a periodic evaluation ({@code --eval-every}), at the step it ran. */
    public static final String EVAL_RETURN = "eval/return";

    private RunScalars() {}
}
