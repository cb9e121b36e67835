package io.worldgate.gateway.run;

/**
 * Told what a run does, from the run's own thread (a swap refused at once: from the thread that
 * asked for it); implementations must be quick.
 */
public interface RunListener {

    /** A new snapshot, at most a few times a second. */
    default void onProgress(RunStatus status) {}

    /**
     * Something a user should know: a swap, a pause, a failure, a checkpoint. Listeners that act on
     * events override this and switch over the event's type; by default its text goes to
     * {@link #onEvent(RunStatus, String)}.
     */
    default void onEvent(RunStatus status, RunEvent event) {
        onEvent(status, event.text());
    }

    /** An event's text, for people: what {@link #onEvent(RunStatus, RunEvent)} passes on by default. */
    default void onEvent(RunStatus status, String event) {}

    /** An episode finished. */
    default void onEpisode(RunStatus status, double episodeReturn, int length) {}

    /** A scalar metric at env step {@code step}: episode returns, losses, evaluation results. */
    default void onScalar(String tag, double value, long step) {}
}
