package io.worldgate.gateway.run;

import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.internal.metrics.CompositeMetricsWriter;
import io.worldgate.gateway.run.internal.metrics.JsonlMetricsWriter;
import io.worldgate.gateway.run.internal.metrics.LearningCurvePlot;
import io.worldgate.gateway.run.internal.metrics.RegistryMetricsWriter;
import io.worldgate.gateway.run.internal.metrics.TensorBoardWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The usual metric outputs of a run directory, opened together, and the end-of-run plot. */
public final class RunMetricsFiles {
    /** The end-of-run plot's file name in the run directory. */
    public static final String PLOT_FILE = "learning_curve.png";

    private RunMetricsFiles() {}

    /**
     * {@code metrics.jsonl} and a TensorBoard event file in {@code runDir}, and when a registry is
     * given, the run's scalars mirrored into it. Close the writer when the run ends.
     */
    public static MetricsWriter open(Path runDir, String runId, MetricsRegistry registry) throws IOException {
        return open(runDir, runId, registry, Long.MAX_VALUE);
    }

    /**
     * As {@link #open(Path, String, MetricsRegistry)} for a run that goes on from {@code fromStep}
     * (a resume from the checkpoint at that step): the {@code metrics.jsonl} rows an earlier
     * process wrote past it are dropped first, since the run takes those steps again; the rows
     * stay in step order and none is written twice.
     */
    public static MetricsWriter open(Path runDir, String runId, MetricsRegistry registry, long fromStep) throws IOException {
        JsonlMetricsWriter.dropAfter(runDir, fromStep);
        List<MetricsWriter> writers = new ArrayList<>();
        try {
            writers.add(new JsonlMetricsWriter(runDir));
            writers.add(new TensorBoardWriter(runDir));
        } catch (IOException | RuntimeException e) {
            writers.forEach(MetricsWriter::close);
            throw e;
        }
        if (registry != null) {
            writers.add(new RegistryMetricsWriter(registry, runId));
        }
        return new CompositeMetricsWriter(writers);
    }

    /**
     * Draws {@code learning_curve.png} (960 x 540) in {@code runDir} from its {@code metrics.jsonl}
     * (see {@link LearningCurvePlot#ofReturns}); empty when there is no such file yet.
     */
    public static Optional<Path> plotLearningCurve(Path runDir, String title) throws IOException {
        Path jsonl = runDir.resolve(JsonlMetricsWriter.FILE_NAME);
        if (!Files.isRegularFile(jsonl)) {
            return Optional.empty();
        }
        Map<String, JsonlMetricsWriter.Series> scalars = JsonlMetricsWriter.readScalars(jsonl);
        Path png = runDir.resolve(PLOT_FILE);
        LearningCurvePlot.ofReturns(title, scalars).writePng(png, 960, 540);
        return Optional.of(png);
    }
}
