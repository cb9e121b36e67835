package io.worldgate.plugin.framestats;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The reference learner (a plugin that trains without acting; see {@link io.worldgate.api.learner}).
 * Learns the per-channel (last axis) mean and standard deviation of one observation over frames
 * sampled from the experience, merging each batch into running moments (Chan et al.'s parallel
 * update). Its checkpoint, {@value #FILE}, holds the moments as exact decimal doubles, so a loaded
 * learner saves the same bytes.
 */
public final class FrameStats implements Learner {
    public static final String FILE = "framestats.txt";
    private static final String FORMAT = "format=framestats-1";

    private final LearnerContext context;
    private final String key;
    private final int batch;
    private final SplittableRandom rng;
    private long count;
    private double[] mean;
    private double[] m2;

    FrameStats(LearnerContext context, String key, int batch) {
        this.context = context;
        this.key = key;
        this.batch = batch;
        this.rng = new SplittableRandom(context.seed());
    }

    @Override
    public Map<String, Double> update() {
        Tensor frames = context.experience().sampleFrames(batch, List.of(key), rng).get(key);
        int[] shape = frames.shape();
        int channels = shape.length < 2 ? 1 : shape[shape.length - 1];
        long values = frames.numElements() / channels;
        double[] bMean = new double[channels];
        double[] bM2 = new double[channels];
        for (long i = 0; i < frames.numElements(); i++) {
            bMean[(int) (i % channels)] += frames.getDouble(i);
        }
        for (int c = 0; c < channels; c++) {
            bMean[c] /= values;
        }
        for (long i = 0; i < frames.numElements(); i++) {
            double d = frames.getDouble(i) - bMean[(int) (i % channels)];
            bM2[(int) (i % channels)] += d * d;
        }
        if (mean == null) {
            mean = new double[channels];
            m2 = new double[channels];
        }
        long total = count + values;
        for (int c = 0; c < channels; c++) {
            double delta = bMean[c] - mean[c];
            mean[c] += delta * values / total;
            m2[c] += bM2[c] + delta * delta * count * values / total;
        }
        count = total;
        Map<String, Double> out = new LinkedHashMap<>();
        for (int c = 0; c < channels; c++) {
            out.put("stats/mean/c" + c, mean[c]);
            out.put("stats/std/c" + c, std(c));
        }
        return out;
    }

    /** Values seen per channel so far. */
    public long count() {
        return count;
    }

    public double mean(int channel) {
        return mean[channel];
    }

    public double std(int channel) {
        return Math.sqrt(m2[channel] / count);
    }

    @Override
    public void save(Path directory) throws IOException {
        StringBuilder s = new StringBuilder(FORMAT).append('\n').append("key=").append(key).append('\n')
                .append("count=").append(count).append('\n');
        int channels = mean == null ? 0 : mean.length;
        for (int c = 0; c < channels; c++) {
            s.append("mean.").append(c).append('=').append(mean[c]).append('\n');
            s.append("m2.").append(c).append('=').append(m2[c]).append('\n');
        }
        Files.writeString(directory.resolve(FILE), s, StandardCharsets.UTF_8);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        Map<String, String> read = read(directory);
        if (!key.equals(read.get("key"))) {
            throw new IncompatibleCheckpointException("framestats checkpoint of '" + read.get("key") + "', this learner reads '"
                    + key + "'");
        }
        count = Long.parseLong(read.get("count"));
        int channels = (int) read.keySet().stream().filter(k -> k.startsWith("mean.")).count();
        mean = channels == 0 ? null : new double[channels];
        m2 = channels == 0 ? null : new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = Double.parseDouble(read.get("mean." + c));
            m2[c] = Double.parseDouble(read.get("m2." + c));
        }
    }

    /** The {@code key=value} lines of a framestats checkpoint in {@code directory}. */
    public static Map<String, String> read(Path directory) throws IOException, IncompatibleCheckpointException {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IncompatibleCheckpointException("no " + FILE + " in " + directory);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IncompatibleCheckpointException(FILE + " is not in " + FORMAT);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            out.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return out;
    }

    @Override
    public void close() {}
}
