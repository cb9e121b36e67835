package io.worldgate.gateway.run;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.internal.InMemoryExperience;
import io.worldgate.gateway.run.internal.experience.DiskExperience;
import java.nio.file.Path;

/**
 * The host's side of a run's experience: the run appends, agents read through {@link Experience}.
 * Appends come from the run's loop thread; reads from the agent, on the same thread.
 */
public interface ExperienceStore extends Experience, AutoCloseable {

    /** A store for envs of {@code spec} that keeps every step in memory and nothing on disk. */
    static ExperienceStore inMemory(EnvSpec spec) {
        return new InMemoryExperience(spec);
    }

    /**
     * The store of the run in {@code runDirectory}, kept on disk in its {@code experience} folder:
     * created, or opened with every complete chunk an earlier process wrote (see
     * {@link #recoveryReport}); beyond {@code maxBytes} of chunk files the oldest chunks are deleted.
     *
     * @throws IllegalArgumentException if the stored steps were written for other observations or actions
     * @throws IllegalStateException if another store, in this process or another, has the folder open
     * @throws java.io.UncheckedIOException if the folder cannot be read or written
     */
    static ExperienceStore inRunDirectory(Path runDirectory, EnvSpec spec, long maxBytes) {
        return DiskExperience.open(runDirectory.resolve(DiskExperience.DIRECTORY), spec,
                DiskExperience.Options.defaults().withMaxBytes(maxBytes));
    }

    /** Appends what the environments returned after a reset or a step: one step per environment. */
    void appendObservations(StepBatch batch);

    /** Records the actions chosen at the latest observations ({@code [N, ...]}). */
    void appendActions(Tensor actions);

    /**
     * What the store found when it opened, for a resumed run at {@code step} (how many steps it
     * recovered, whether a torn chunk was dropped); empty for a new or in-memory store.
     */
    default java.util.Optional<RunEvent.ExperienceRecovered> recoveryReport(long step) {
        return java.util.Optional.empty();
    }

    /** Makes everything appended so far durable (a no-op for stores that keep nothing on disk). */
    default void flush() {}

    @Override
    default void close() {}
}
