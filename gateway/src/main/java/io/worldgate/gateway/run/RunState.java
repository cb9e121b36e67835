package io.worldgate.gateway.run;

/** Where a run is in its life. */
public enum RunState {
    /** Creating environments. */
    STARTING,
    /** Acting, stepping and training. */
    RUNNING,
    /** Waiting for an agent plugin: none deployed, or the deployed one failed. Resumes by itself. */
    PAUSED,
    /** Reached its step budget. */
    FINISHED,
    /** Stopped on request. */
    STOPPED,
    /** Could not go on (for example the environment failed); the message says why. */
    FAILED,
    /**
     * A directory in the runs folder that cannot be read as a run (its {@code config.json} is
     * broken, or its name is not a run id); the message says what is wrong. Only listed.
     */
    DAMAGED;

    /** Whether the run has ended (or, damaged, cannot run). */
    public boolean isTerminal() {
        return this == FINISHED || this == STOPPED || this == FAILED || this == DAMAGED;
    }
}
