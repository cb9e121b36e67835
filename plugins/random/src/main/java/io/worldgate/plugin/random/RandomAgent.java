package io.worldgate.plugin.random;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Samples every action uniformly from the action space. Its only state is the random generator's
 * position, which it checkpoints so a resumed or swapped agent does not replay the same actions.
 */
final class RandomAgent implements Agent {
    static final String CHECKPOINT_FILE = "random-agent.txt";
    private static final String FORMAT = "random-agent v1";

    private final EnvSpec spec;
    private final double actionScale;
    private final int actDelayMs;
    private SplittableRandom rng;
    private long actCalls;
    private final long seed;

    RandomAgent(EnvSpec spec, double actionScale, int actDelayMs, long seed) {
        this.spec = spec;
        this.actionScale = actionScale;
        this.actDelayMs = actDelayMs;
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        if (actDelayMs > 0) {
            try {
                Thread.sleep(actDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        actCalls++;
        int n = observations.size();
        if (spec.actionSpace() instanceof DiscreteSpace discrete) {
            int[] actions = new int[n];
            for (int i = 0; i < n; i++) {
                actions[i] = rng.nextInt(discrete.n());
            }
            return Tensor.ofInts(actions, n);
        }
        BoxSpace box = (BoxSpace) spec.actionSpace();
        int per = box.numElements();
        Tensor actions = Tensor.allocate(DType.FLOAT32, box.tensorSpec().batchShape(n));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                double centre = (box.low(j) + box.high(j)) / 2;
                double half = (box.high(j) - box.low(j)) / 2 * actionScale;
                actions.setFloat((long) i * per + j, (float) (centre + half * (2 * rng.nextDouble() - 1)));
            }
        }
        return actions;
    }

    @Override
    public Map<String, Double> train(int updates) {
        return Map.of();
    }

    @Override
    public void save(Path directory) throws IOException {
        // The generator cannot be serialised; a split-off seed continues an independent stream.
        long next = rng.split().nextLong();
        rng = new SplittableRandom(next);
        Files.writeString(directory.resolve(CHECKPOINT_FILE),
                FORMAT + "\nseed=" + next + "\nact_calls=" + actCalls + "\n", StandardCharsets.UTF_8);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        String text;
        try {
            text = Files.readString(directory.resolve(CHECKPOINT_FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IncompatibleCheckpointException("no " + CHECKPOINT_FILE + " in " + directory + " (another agent's checkpoint?)");
        }
        String[] lines = text.split("\n");
        if (lines.length < 3 || !lines[0].equals(FORMAT)) {
            throw new IncompatibleCheckpointException("unknown checkpoint format '" + lines[0] + "'");
        }
        rng = new SplittableRandom(Long.parseLong(lines[1].substring("seed=".length())));
        actCalls = Long.parseLong(lines[2].substring("act_calls=".length()));
    }

    /** How many times {@link #act} ran, over this agent and the ones whose checkpoints it loaded. */
    long actCalls() {
        return actCalls;
    }

    @Override
    public void close() {
        // Nothing native to release.
    }

    @Override
    public String toString() {
        return "RandomAgent[seed=" + seed + ", acts=" + actCalls + "]";
    }
}
