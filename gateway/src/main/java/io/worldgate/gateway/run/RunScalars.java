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
    /** The filmed evaluation episode, a video in the metrics writers (not a scalar). */
    public static final String EVAL_VIDEO = "eval/video";

    /**
     * The mean over a periodic evaluation's episodes of the largest value a number the environment
     * reports took in each (see {@link PlayedEpisode}): {@code eval/success} is the success rate. A
     * number named as one of the evaluation's own tags ({@code return}, {@code video}) is written
     * as {@code eval/env_<name>}, so that it cannot pass for them.
     */
    public static String evalInfo(String name) {
        String tag = "eval/" + name;
        return tag.equals(EVAL_RETURN) || tag.equals(EVAL_VIDEO) ? "eval/env_" + name : tag;
    }

    private RunScalars() {}
}
