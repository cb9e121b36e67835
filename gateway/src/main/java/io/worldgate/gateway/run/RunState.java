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
    FAILED;

    /** Whether the run has ended. */
    public boolean isTerminal() {
        return this == FINISHED || this == STOPPED || this == FAILED;
    }
}
