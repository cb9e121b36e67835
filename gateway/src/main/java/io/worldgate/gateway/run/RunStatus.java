package io.worldgate.gateway.run;

/**
 * A snapshot of a run.
 *
 * @param runId the run
 * @param state its state
 * @param message what it is doing or waiting for, in words
 * @param agent the agent in use as {@code name@version}, or null while none is
 * @param step env steps taken so far
 * @param totalSteps the step budget
 * @param episodes episodes finished
 * @param lastReturn return of the latest finished episode (NaN before the first)
 * @param stepsPerSecond recent throughput
 * @param updates gradient updates run so far
 * @param workerRestarts env worker restarts in this process so far
 * @param cutEpisodes episodes cut by a worker restart, or by the reset before a population
 *     evaluation, in this process so far; they are not among
 *     {@code episodes} and their returns are not the agent's
 */
public record RunStatus(String runId, RunState state, String message, String agent, long step, long totalSteps,
        long episodes, double lastReturn, double stepsPerSecond, long updates, long workerRestarts, long cutEpisodes) {

    /** A status with no worker restarts and no cut episodes. */
    public RunStatus(String runId, RunState state, String message, String agent, long step, long totalSteps,
            long episodes, double lastReturn, double stepsPerSecond, long updates) {
        this(runId, state, message, agent, step, totalSteps, episodes, lastReturn, stepsPerSecond, updates, 0, 0);
    }
}
