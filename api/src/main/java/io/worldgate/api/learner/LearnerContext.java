package io.worldgate.api.learner;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.space.DictSpace;
import java.nio.file.Path;

/** What the host lends a learner for its lifetime. */
public interface LearnerContext {

    /**
     * The experience to learn from, read-only: a snapshot of what the source run had stored when
     * the learner run started (or was resumed). It does not grow while the learner trains.
     */
    Experience experience();

    /**
     * The observations stored in the experience, one environment's worth. Each entry has the
     * dtype and shape that {@link Experience#sampleFrames} returns per frame; the bounds are the
     * dtype's own (0 to 255 for uint8 images), not the environment's, which the store does not keep.
     */
    DictSpace observationSpace();

    /** Where metrics go: scalars, images and videos, stamped with the number of updates done. */
    MetricsSink metrics();

    /** A directory of the learner's run where it may write diagnostics. */
    Path workDirectory();

    /** The run's seed; a learner derives all its randomness from it. */
    long seed();

    /** The device the user asked for: {@code auto}, {@code cpu} or {@code gpu}. */
    String device();
}
