package io.worldgate.api.agent;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A learning agent acting in N environments at once, created by an {@link AgentFactory}.
 *
 * <p>The host calls {@link #act} and {@link #train} from one thread, never concurrently. An
 * agent keeps per-environment state (a recurrent state, a planner's warm start) itself and resets
 * entry {@code i} when {@code observations.isFirst()[i]} is set.
 *
 * <p>An agent owns only its networks and optimizer state. Everything that must survive a swap
 * to another plugin version (experience, configuration, step counters) is the host's; the
 * networks survive through {@link #save} and {@link #load}.
 */
public interface Agent extends AutoCloseable {

    /**
     * Actions for every environment, as a tensor that the action space validates: int32
     * {@code [N]} for discrete spaces, float32 {@code [N, ...]} within the bounds for boxes.
     * The observations are read-only and valid only during this call.
     */
    Tensor act(StepBatch observations, ActMode mode);

    /**
     * Runs up to {@code updates} gradient updates (or, for evolution strategies, the equivalent
     * unit of work the plugin documents) on the host's experience and returns metrics of the last
     * update by name, such as {@code loss/model}. Returns an empty map if there was nothing to do.
     */
    Map<String, Double> train(int updates);

    /** Writes everything needed to continue training into {@code directory}, which exists and is empty. */
    void save(Path directory) throws IOException;

    /**
     * Restores a checkpoint written by {@link #save} of this or another version of the plugin.
     *
     * @throws IncompatibleCheckpointException if the checkpoint cannot be used (other sizes,
     *     another format); the host then continues with this agent as created and says so
     */
    void load(Path directory) throws IOException, IncompatibleCheckpointException;

    /** Releases native memory and threads. The agent is not used after this. */
    @Override
    void close();
}
