package io.worldgate.gateway.bridge.internal.py4j;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an agent driven from Python reports through its metrics sink (beside what {@code train}
 * returns): the last value of each scalar, the path of each file, and the shape of the last image
 * or video of each tag, for the session's status. A session has no run directory or TensorBoard
 * file, so pixels are not kept.
 */
final class SessionMetrics implements MetricsSink {
    /** The last image or video reported under a tag: its kind, shape and, for a video, its frame rate (else NaN). */
    record Media(String kind, int[] shape, double fps) {}

    private final Map<String, Double> scalars = new TreeMap<>();
    private final Map<String, String> files = new TreeMap<>();
    private final Map<String, Media> media = new TreeMap<>();

    @Override
    public synchronized void scalar(String name, double value) {
        scalars.put(name, value);
    }

    /** The file stays where the agent wrote it, in its work directory; its path is kept. */
    @Override
    public synchronized void file(String name, Path file) {
        files.put(name, file.toAbsolutePath().toString());
    }

    @Override
    public synchronized void image(String tag, Tensor rgb) {
        MetricsSink.requireImage(tag, rgb);
        media.put(tag, new Media("image", rgb.shape(), Double.NaN));
    }

    @Override
    public synchronized void video(String tag, Tensor frames, double fps) {
        MetricsSink.requireVideo(tag, frames, fps);
        media.put(tag, new Media("video", frames.shape(), fps));
    }

    synchronized Map<String, Double> scalars() {
        return new TreeMap<>(scalars);
    }

    synchronized Map<String, String> files() {
        return new TreeMap<>(files);
    }

    synchronized Map<String, Media> media() {
        return new TreeMap<>(media);
    }
}
