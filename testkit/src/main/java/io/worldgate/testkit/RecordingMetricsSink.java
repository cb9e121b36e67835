package io.worldgate.testkit;

import io.worldgate.api.agent.MetricsSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A metrics sink that keeps everything it is given, for assertions. Thread-safe. */
public final class RecordingMetricsSink implements MetricsSink {
    /** One scalar as the agent reported it. */
    public record Scalar(String name, double value) {}

    /** One file as the agent reported it. */
    public record File(String name, Path path) {}

    private final List<Scalar> scalars = new CopyOnWriteArrayList<>();
    private final List<File> files = new CopyOnWriteArrayList<>();
    private final Map<String, Double> latest = new ConcurrentHashMap<>();

    @Override
    public void scalar(String name, double value) {
        scalars.add(new Scalar(name, value));
        latest.put(name, value);
    }

    @Override
    public void file(String name, Path file) {
        files.add(new File(name, file));
    }

    /** Every scalar in the order reported. */
    public List<Scalar> scalars() {
        return new ArrayList<>(scalars);
    }

    /** The last value reported under {@code name}. */
    public Optional<Double> latest(String name) {
        return Optional.ofNullable(latest.get(name));
    }

    /** Every file in the order reported. */
    public List<File> files() {
        return new ArrayList<>(files);
    }
}
