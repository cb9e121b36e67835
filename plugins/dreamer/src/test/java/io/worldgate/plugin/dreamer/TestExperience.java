package io.worldgate.plugin.dreamer;

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
 * A fixed, in-memory experience for tests: episodes appended one after another as one stream
 * (one environment), sampled as the host does: uniform start over stored steps, sequences that
 * cross into the next episode (marked by isFirst), zero-mask padding past the end.
 */
final class TestExperience implements Experience {
    /** One step, aligned as the api says: o_t, r_t on arriving, a_t chosen at o_t. */
    record Step(Map<String, Tensor> obs, Tensor action, float reward, boolean first, boolean terminal) {}

    private final Map<String, TensorSpec> obsSpecs;
    private final TensorSpec actionSpec;
    private final List<Step> steps = new ArrayList<>();
    private int episodes;

    TestExperience(Map<String, TensorSpec> obsSpecs, TensorSpec actionSpec) {
        this.obsSpecs = new LinkedHashMap<>(obsSpecs);
        this.actionSpec = actionSpec;
    }

    void add(Step step) {
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
            throw new IllegalStateException("empty");
        }
        Map<String, Tensor> obs = new LinkedHashMap<>();
        obsSpecs.forEach((k, s) -> obs.put(k, Tensor.allocate(s.dtype(), prepend(batchSize, length, s.shape()))));
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
                s.obs().forEach((k, v) -> copy(v, obs.get(k), row));
                copy(s.action(), actions, row);
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
        return List.of();
    }

    private static int[] prepend(int b, int t, int[] shape) {
        int[] out = new int[shape.length + 2];
        out[0] = b;
        out[1] = t;
        System.arraycopy(shape, 0, out, 2, shape.length);
        return out;
    }

    private static void copy(Tensor entry, Tensor target, int row) {
        ByteBuffer dst = target.buffer();
        dst.position(row * entry.byteSize());
        dst.put(entry.buffer());
    }
}
