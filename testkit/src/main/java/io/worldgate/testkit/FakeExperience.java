package io.worldgate.testkit;

import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
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
 * experience reads: sequences start at a stored step drawn by the request's selector (uniform,
 * or by recency with one append per step), cross into the next episode (marked by
 * {@code isFirst}) or stay inside one as the request's {@link Slicing} says, and are padded with
 * mask 0 past the last step. An episode ends at a terminal or truncated step, or where the next
 * one begins. {@link #forEachEpisode} visits copies (the host's stores hand out views). Not
 * thread-safe; built before the agent uses it.
 */
public final class FakeExperience implements Experience {
    /**
     * One step, aligned as {@link Experience} says: the observation {@code o_t} with the reward
     * {@code r_t} received on arriving at it, and the action {@code a_t} chosen at it.
     */
    public record Step(Map<String, Tensor> observations, Tensor action, float reward, boolean first, boolean terminal,
            boolean truncated) {
        /** A step that does not end its episode by truncation. */
        public Step(Map<String, Tensor> observations, Tensor action, float reward, boolean first, boolean terminal) {
            this(observations, action, reward, first, terminal, false);
        }

        boolean last() {
            return terminal || truncated;
        }
    }

    /** Drawn starts per sequence before {@link Slicing#WITHIN_EPISODE} gives up. */
    private static final int MAX_SLICE_DRAWS = 10_000;

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
        return sampleSequences(SampleRequest.of(batchSize, length), rng);
    }

    @Override
    public SequenceBatch sampleSequences(SampleRequest request, RandomGenerator rng) {
        if (steps.isEmpty()) {
            throw new IllegalStateException("no steps stored yet");
        }
        int batchSize = request.batchSize();
        int length = request.length();
        boolean within = request.slicing() != Slicing.CROSS_EPISODES;
        SequenceBatch out = SequenceBatch.zeros(observationSpecs, actionSpec, batchSize, length);
        Map<String, Tensor> obs = out.observations().asMap();
        Tensor actions = out.actions();
        Tensor rewards = out.rewards();
        Tensor first = out.isFirst();
        Tensor terminal = out.isTerminal();
        Tensor mask = out.mask();
        for (int b = 0; b < batchSize; b++) {
            // a sequence's recency age counts from the newest start with `length` steps after it (Selector.Recency)
            int start = request.slicing() == Slicing.WITHIN_EPISODE ? fittingStart(request.selector(), length, rng)
                    : pick(request.selector(), length - 1, rng);
            for (int t = 0; t < length && start + t < steps.size(); t++) {
                if (within && t > 0 && beginsEpisode(start + t)) {
                    break; // padding from the next episode on
                }
                Step s = steps.get(start + t);
                int row = b * length + t;
                s.observations().forEach((k, v) -> copyInto(v, obs.get(k), row));
                copyInto(s.action(), actions, row);
                rewards.setFloat(row, s.reward());
                first.setFloat(row, start + t == 0 || beginsEpisode(start + t) ? 1 : 0);
                terminal.setFloat(row, s.terminal() ? 1 : 0);
                mask.setFloat(row, 1);
            }
        }
        return out;
    }

    /** A step drawn by {@code selector}; recency never draws the newest {@code newestSkipped} and counts age from the one before. */
    private int pick(Selector selector, int newestSkipped, RandomGenerator rng) {
        if (selector instanceof Selector.Recency recency) {
            int newest = steps.size() - 1 - Math.min(newestSkipped, steps.size() - 1);
            return newest - (int) recency.sampleAge(newest, rng);
        }
        return rng.nextInt(steps.size());
    }

    private int fittingStart(Selector selector, int length, RandomGenerator rng) {
        for (int draw = 0; draw < MAX_SLICE_DRAWS; draw++) {
            int start = pick(selector, length - 1, rng);
            boolean fits = start + length <= steps.size();
            for (int t = 1; fits && t < length; t++) {
                fits = !beginsEpisode(start + t);
            }
            if (fits) {
                return start;
            }
        }
        throw new IllegalStateException("no stored episode holds " + length + " steps");
    }

    /** Whether step {@code i} begins an episode: it says so, or the step before it ended one. */
    private boolean beginsEpisode(int i) {
        return steps.get(i).first() || i > 0 && steps.get(i - 1).last();
    }

    @Override
    public List<Episode> recentEpisodes(int max) {
        List<Episode> finished = new ArrayList<>();
        int begin = 0;
        for (int i = 0; i < steps.size(); i++) {
            boolean nextBegins = i + 1 < steps.size() && steps.get(i + 1).first();
            if (steps.get(i).last() || nextBegins) {
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
