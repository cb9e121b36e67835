package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.internal.metrics.MediaFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A learner's metrics sink: everything is stamped with the number of updates done; scalars, images
 * and videos go to the run's metrics writer (metrics.jsonl, TensorBoard), images and videos also to
 * files in the run directory; files are announced as events. A diagnostic that cannot be saved
 * never stops the run.
 */
public final class LearnerMetrics implements MetricsSink {
    private final MetricsWriter writer;
    private final MediaFiles media;
    private final LongSupplier step;
    private final Consumer<String> events;

    public LearnerMetrics(MetricsWriter writer, Path runDirectory, LongSupplier step, Consumer<String> events) {
        this.writer = writer;
        this.media = new MediaFiles(runDirectory);
        this.step = step;
        this.events = events;
    }

    @Override
    public void scalar(String name, double value) {
        writer.scalar(name, value, step.getAsLong());
    }

    @Override
    public void file(String name, Path file) {
        events.accept(name + " written to " + file);
    }

    @Override
    public void image(String tag, Tensor rgb) {
        MetricsSink.requireImage(tag, rgb);
        Tensor image = MediaFiles.bounded(rgb);
        long at = step.getAsLong();
        try {
            writer.image(tag, image, at);
            media.writeImage(tag, image, at);
        } catch (IOException | RuntimeException e) {
            events.accept("image " + tag + " not saved: " + AgentSlot.describe(e));
        }
    }

    @Override
    public void video(String tag, Tensor frames, double fps) {
        MetricsSink.requireVideo(tag, frames, fps);
        Tensor clip = MediaFiles.firstFrames(frames);
        long at = step.getAsLong();
        try {
            writer.video(tag, clip, fps, at);
            media.writeVideo(tag, clip, fps, at);
        } catch (IOException | RuntimeException e) {
            events.accept("video " + tag + " not saved: " + AgentSlot.describe(e));
        }
    }
}
