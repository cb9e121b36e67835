package io.worldgate.gateway.bridge.internal.py4j;

import io.worldgate.api.agent.MetricsSink;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent driven from Python reports through its metrics sink (beside what {@code train}
 * returns): the last value of each scalar and the path of each file, for the session's status.
 */
final class SessionMetrics implements MetricsSink {
    private final Map<String, Double> scalars = new TreeMap<>();
    private final Map<String, String> files = new TreeMap<>();

    @Override
    public synchronized void scalar(String name, double value) {
        scalars.put(name, value);
    }

    /** The file stays where the agent wrote it, in its work directory; its path is kept. */
    @Override
    public synchronized void file(String name, Path file) {
        files.put(name, file.toAbsolutePath().toString());
    }

    synchronized Map<String, Double> scalars() {
        return new TreeMap<>(scalars);
    }

    synchronized Map<String, String> files() {
        return new TreeMap<>(files);
    }
}
