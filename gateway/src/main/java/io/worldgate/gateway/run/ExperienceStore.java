package io.worldgate.gateway.run;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.tensor.Tensor;

/**
 * The host's side of a run's experience: the run appends, agents read through {@link Experience}.
 * Appends come from the run's loop thread; reads from the agent, on the same thread.
 */
public interface ExperienceStore extends Experience, AutoCloseable {

    /** Appends what the environments returned after a reset or a step: one step per environment. */
    void appendObservations(StepBatch batch);

    /** Records the actions chosen at the latest observations ({@code [N, ...]}). */
    void appendActions(Tensor actions);

    /**
     * What the store found when it opened, in words, for a resumed run (for example how many steps
     * it recovered and whether a torn chunk was dropped); empty for a new or in-memory store.
     */
    default java.util.Optional<String> recoveryReport() {
        return java.util.Optional.empty();
    }

    /** Makes everything appended so far durable (a no-op for stores that keep nothing on disk). */
    default void flush() {}

    @Override
    default void close() {}
}
