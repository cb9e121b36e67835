package io.worldgate.gateway.run;

/** Told what a run does, from the run's own thread; implementations must be quick. */
public interface RunListener {

    /** A new snapshot, at most a few times a second. */
    default void onProgress(RunStatus status) {}

    /** Something a user should know: a swap, a pause, a failure, an episode's end. */
    default void onEvent(RunStatus status, String event) {}

    /** An episode finished. */
    default void onEpisode(RunStatus status, double episodeReturn, int length) {}

    /** A scalar metric at env step {@code step}: episode returns, losses, evaluation results. */
    default void onScalar(String tag, double value, long step) {}
}
