package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.internal.metrics.MediaFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ObjDoubleConsumer;

/**
 * The metrics sink a run gives its plugin (an agent of a training run, a learner of a learner
 * run): scalars go where the run's own go; files are announced as events; images and videos go to
 * the metrics writer and to files in the run directory ({@link MediaFiles}), stamped with the
 * run's step (env steps, or updates for a learner). A diagnostic that cannot be saved is told,
 * never thrown: it must not stop the run.
 */
public final class PluginMetricsSink implements MetricsSink {
    private final MetricsWriter writer;
    private final MediaFiles media;
    private final LongSupplier step;
    private final ObjDoubleConsumer<String> scalars;
    private final Consumer<String> notes;

    /**
     * @param step the run's current step, which stamps images and videos
     * @param scalars where the plugin's scalars go (for an agent: the run's latest metrics, writer and listeners)
     * @param notes where the run tells its events as text
     */
    public PluginMetricsSink(Path runDirectory, MetricsWriter writer, LongSupplier step, ObjDoubleConsumer<String> scalars,
            Consumer<String> notes) {
        this.writer = writer;
        this.media = new MediaFiles(runDirectory);
        this.step = step;
        this.scalars = scalars;
        this.notes = notes;
    }

    @Override
    public void scalar(String name, double value) {
        scalars.accept(name, value);
    }

    @Override
    public void file(String name, Path file) {
        notes.accept(name + " written to " + file);
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
            notes.accept("image " + tag + " not saved: " + AgentSlot.describe(e));
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
            notes.accept("video " + tag + " not saved: " + AgentSlot.describe(e));
        }
    }
}
