package io.worldgate.api.learner;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A plugin that trains on stored experience and never acts, created by a {@link LearnerFactory}.
 * The host calls its methods from one thread, never concurrently.
 */
public interface Learner extends AutoCloseable {

    /**
     * Runs one update (one gradient step, or the unit of work the plugin documents) on the
     * context's experience and returns its metrics by name, such as {@code loss/reconstruction};
     * the host writes them at this update's number. Images and other metrics go to the context's
     * {@link io.worldgate.api.agent.MetricsSink}, which stamps them the same way.
     */
    Map<String, Double> update();

    /** Writes everything needed to continue training into {@code directory}, which exists and is empty. */
    void save(Path directory) throws IOException;

    /**
     * Restores a checkpoint written by {@link #save} of this or another version of the plugin.
     *
     * @throws IncompatibleCheckpointException if the checkpoint cannot be used (other sizes,
     *     another format)
     */
    void load(Path directory) throws IOException, IncompatibleCheckpointException;

    /** Releases native memory and threads. The learner is not used after this. */
    @Override
    void close();
}
