package io.worldgate.testkit;

import io.worldgate.api.experience.Experience;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.space.DictSpace;
import java.nio.file.Path;

/**
 * What the host lends a learner, without a host: a given experience and its observation space, a
 * {@link RecordingMetricsSink}, a work directory, a seed and the CPU (or {@link #withDevice another device}).
 */
public final class FakeLearnerContext implements LearnerContext {
    private final Experience experience;
    private final DictSpace observationSpace;
    private final Path workDirectory;
    private final long seed;
    private final RecordingMetricsSink metrics = new RecordingMetricsSink();
    private String device = "cpu";

    public FakeLearnerContext(Experience experience, DictSpace observationSpace, Path workDirectory, long seed) {
        this.experience = experience;
        this.observationSpace = observationSpace;
        this.workDirectory = workDirectory;
        this.seed = seed;
    }

    /** Asks the learner to run on {@code device} ({@code cpu}, {@code gpu} or {@code auto}); returns this context. */
    public FakeLearnerContext withDevice(String device) {
        this.device = device;
        return this;
    }

    @Override
    public Experience experience() {
        return experience;
    }

    @Override
    public DictSpace observationSpace() {
        return observationSpace;
    }

    @Override
    public RecordingMetricsSink metrics() {
        return metrics;
    }

    @Override
    public Path workDirectory() {
        return workDirectory;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public String device() {
        return device;
    }
}
