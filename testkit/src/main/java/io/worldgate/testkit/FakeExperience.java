package io.worldgate.testkit;

import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * An in-memory experience of one environment's steps, appended in order, read as the host's
 * experience reads: sequences start uniformly over the stored steps, may cross into the next
 * episode (marked by {@code isFirst}) and are padded with mask 0 past the last step. Not
 * thread-safe; built before the agent uses it.
 */
public final class FakeExperience implements Experience {
    /**
     * One step, aligned as {@link Experience} says: the observation {@code o_t} with the reward
     * {@code r_t} received on arriving at it, and the action {@code a_t} chosen at it.
     */
    public record Step(Map<String, Tensor> observations, Tensor action, float reward, boolean first, boolean terminal) {}

    private final Map<String, TensorSpec> observationSpecs;
    private final TensorSpec actionSpec;
    private final List<Step> steps = new ArrayList<>();
    private int episodes;

    public FakeExperience(Map<String, TensorSpec> observationSpecs, TensorSpec actionSpec) {
        this.observationSpecs = new LinkedHashMap<>(observationSpecs);
        this.actionSpec = actionSpec;
    }

    /** Appends a step; a step with {@code first} set begins a new episode. */
    public void add(Step step) {
        if (step.first()) {
            episodes++;
        }
        steps.add(step);
    }

    @Override
    public long numSteps() {
        return steps.size();
    }

    @Override
    public int numEpisodes() {
        return episodes;
    }

    @Override
    public SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        if (steps.isEmpty()) {
            throw new IllegalStateException("no steps stored yet");
        }
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observationSpecs.forEach((k, s) -> obs.put(k, Tensor.allocate(s.dtype(), prepend(batchSize, length, s.shape()))));
        Tensor actions = Tensor.allocate(actionSpec.dtype(), prepend(batchSize, length, actionSpec.shape()));
        Tensor rewards = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor first = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor terminal = Tensor.allocate(DType.FLOAT32, batchSize, length);
        Tensor mask = Tensor.allocate(DType.FLOAT32, batchSize, length);
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(steps.size());
            for (int t = 0; t < length && start + t < steps.size(); t++) {
                Step s = steps.get(start + t);
                int row = b * length + t;
                s.observations().forEach((k, v) -> copyInto(v, obs.get(k), row));
                copyInto(s.action(), actions, row);
                rewards.setFloat(row, s.reward());
                first.setFloat(row, s.first() || t == 0 && start == 0 ? 1 : 0);
                terminal.setFloat(row, s.terminal() ? 1 : 0);
                mask.setFloat(row, 1);
            }
        }
        return new SequenceBatch(NamedTensors.of(obs), actions, rewards, first, terminal, mask);
    }

    @Override
    public List<Episode> recentEpisodes(int max) {
        List<Episode> finished = new ArrayList<>();
        int begin = 0;
        for (int i = 0; i < steps.size(); i++) {
            boolean nextBegins = i + 1 < steps.size() && steps.get(i + 1).first();
            if (steps.get(i).terminal() || nextBegins) {
                finished.add(episode(finished.size(), begin, i + 1));
                begin = i + 1;
            }
        }
        return finished.subList(Math.max(0, finished.size() - max), finished.size());
    }

    private Episode episode(long id, int from, int to) {
        int n = to - from;
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observationSpecs.forEach((k, s) -> obs.put(k, Tensor.allocate(s.dtype(), prepend1(n, s.shape()))));
        Tensor actions = Tensor.allocate(actionSpec.dtype(), prepend1(n, actionSpec.shape()));
        Tensor rewards = Tensor.allocate(DType.FLOAT32, n);
        for (int t = 0; t < n; t++) {
            Step s = steps.get(from + t);
            int row = t;
            s.observations().forEach((k, v) -> copyInto(v, obs.get(k), row));
            copyInto(s.action(), actions, row);
            rewards.setFloat(row, s.reward());
        }
        return new Episode(id, NamedTensors.of(obs), actions, rewards, steps.get(to - 1).terminal());
    }

    private static int[] prepend(int b, int t, int[] shape) {
        int[] out = new int[shape.length + 2];
        out[0] = b;
        out[1] = t;
        System.arraycopy(shape, 0, out, 2, shape.length);
        return out;
    }

    private static int[] prepend1(int t, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = t;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    private static void copyInto(Tensor entry, Tensor target, int row) {
        ByteBuffer dst = target.buffer();
        dst.position(row * entry.byteSize());
        dst.put(entry.buffer());
    }
}
