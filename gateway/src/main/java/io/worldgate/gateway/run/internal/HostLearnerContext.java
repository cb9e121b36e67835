package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.space.DictSpace;
import java.nio.file.Path;

/** What the host lends a learner: the source run's experience (read-only), metrics, directory, seed, device. */
public record HostLearnerContext(Experience experience, DictSpace observationSpace, MetricsSink metrics, Path workDirectory,
        long seed, String device) implements LearnerContext {}
