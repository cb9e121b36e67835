package io.worldgate.api.agent;

import java.nio.file.Path;

/** Where an agent reports what it wants users to see; the host stamps each value with the run's step. */
public interface MetricsSink {

    /** A scalar such as {@code loss/reward} or {@code actor/entropy}. */
    void scalar(String name, double value);

    /** A file the agent wrote (PNG, GIF, MP4), for example an open-loop video prediction. */
    void file(String name, Path file);
}
