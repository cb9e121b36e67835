package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.Policy;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunScalars;
import io.worldgate.gateway.run.internal.metrics.AnimatedGif;
import io.worldgate.gateway.run.internal.metrics.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * A run's evaluations: the agent is scored on environments of the {@link Evaluator}'s own, the mean
 * return (and the mean of each number the environment reports, such as the success rate) is recorded
 * and reported, and the video filmed, if any, is saved as a GIF in the run
 * directory and sent to the metrics writer. An evaluation that fails is told and the run goes on:
 * it measures the agent, it does not train it.
 */
public final class RunEvaluations implements AutoCloseable {
    private final Evaluator evaluator;
    private final RunReporter reporter;
    private final MetricsWriter writer;
    private final Path runDirectory;
    private final List<double[]> results = new CopyOnWriteArrayList<>();

    public RunEvaluations(Evaluator evaluator, RunReporter reporter, MetricsWriter writer, Path runDirectory) {
        this.evaluator = evaluator;
        this.reporter = reporter;
        this.writer = writer;
        this.runDirectory = runDirectory;
    }

    /**
     * Scores {@code policy} at env step {@code step}.
     *
     * @param last whether this is the run's last evaluation (see {@link Evaluator#evaluate})
     * @param stopped whether the run was asked to stop, which cuts the evaluation short
     */
    public void evaluate(Policy policy, long step, boolean last, BooleanSupplier stopped) {
        Evaluator.Result result;
        try {
            result = evaluator.evaluate(policy, last, stopped);
        } catch (RuntimeException e) {
            reporter.event(new RunEvent.EvaluationFailed(step, AgentSlot.describe(e)));
            return;
        }
        double mean = result.meanReturn();
        results.add(new double[] {step, mean});
        reporter.scalar(RunScalars.EVAL_RETURN, mean);
        Map<String, Double> infos = result.meanInfos();
        infos.forEach((name, value) -> reporter.scalar(RunScalars.evalInfo(name), value));
        reporter.event(new RunEvent.EvaluationFinished(step, mean, result.played().size(), infos));
        result.video().ifPresent(clip -> saveVideo(clip, step));
    }

    private void saveVideo(Tensor clip, long step) {
        writer.video(RunScalars.EVAL_VIDEO, clip, 20, step);
        Path file = new RunDirectory(runDirectory).evaluationVideo(step);
        try {
            Files.createDirectories(file.getParent());
            AnimatedGif.write(Images.toFrames(clip), 50, 0, file);
            reporter.event(new RunEvent.EvaluationVideoWritten(step, runDirectory.relativize(file).toString()));
        } catch (IOException | RuntimeException e) {
            reporter.note("evaluation video failed: " + AgentSlot.describe(e));
        }
    }

    /** Every evaluation so far as {@code [step, mean return]}. */
    public List<double[]> results() {
        return List.copyOf(results);
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
