package io.worldgate.testkit;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.tensor.Tensor;
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

    /** One image as the agent reported it: a copy of its uint8 {@code [H, W, C]} pixels. */
    public record Image(String tag, Tensor pixels) {}

    /** One video as the agent reported it: a copy of its uint8 {@code [T, H, W, C]} frames, and its frame rate. */
    public record Video(String tag, Tensor frames, double fps) {}

    private final List<Scalar> scalars = new CopyOnWriteArrayList<>();
    private final List<File> files = new CopyOnWriteArrayList<>();
    private final List<Image> images = new CopyOnWriteArrayList<>();
    private final List<Video> videos = new CopyOnWriteArrayList<>();
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

    /** Checks the image as every sink does, and keeps a copy (the agent may reuse its tensor). */
    @Override
    public void image(String tag, Tensor rgb) {
        MetricsSink.requireImage(tag, rgb);
        images.add(new Image(tag, rgb.copy()));
    }

    /** Checks the video as every sink does, and keeps a copy. */
    @Override
    public void video(String tag, Tensor frames, double fps) {
        MetricsSink.requireVideo(tag, frames, fps);
        videos.add(new Video(tag, frames.copy(), fps));
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

    /** Every image in the order reported. */
    public List<Image> images() {
        return new ArrayList<>(images);
    }

    /** Every video in the order reported. */
    public List<Video> videos() {
        return new ArrayList<>(videos);
    }
}
