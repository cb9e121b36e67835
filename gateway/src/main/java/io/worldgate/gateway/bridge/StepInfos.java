package io.worldgate.gateway.bridge;

import java.util.Map;

/**
 * A vectorized environment that reports numbers beside its observations, such as Meta-World's
 * {@code success} flag, and what its supervision did (episodes cut by a worker restart). They are
 * not observations (an agent must not see them) but users want them in the run's metrics.
 */
public interface StepInfos {

    /**
     * The numbers reported with the last reset or step: name to one value per env. Empty when the
     * environment reports none.
     */
    Map<String, float[]> lastInfos();

    /**
     * Whether env {@code env}'s episode, reported as truncated by the last step, was cut because
     * its worker failed and is being restarted, rather than ended by the simulator: its return says
     * nothing about the agent.
     */
    default boolean cut(int env) {
        return false;
    }

    /**
     * Whether env {@code env}'s row of the last reset or step is a stand-in while its worker
     * restarts: {@code isFirst}, the last observation held, reward 0, the action ignored. No
     * simulator stepped.
     */
    default boolean waiting(int env) {
        return false;
    }

    /** How many times a worker of this environment has been restarted so far. */
    default long workerRestarts() {
        return 0;
    }
}
