package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.gateway.run.ExperienceStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The host's experience of one run, kept in memory: one list of episodes per environment, each
 * episode's steps in growable direct columns (one per observation, the action, the reward), each
 * step aligned as {@link Experience} describes. The host appends observations after every reset
 * or step and the agent's actions after every act. Finished episodes are visited as read-only
 * views of their columns.
 *
 * <p>A uniform draw walks the episodes (O(episodes)); a recency draw picks an append tick and an
 * environment, then the step by binary search, as the disk store does.
 */
public final class InMemoryExperience implements ExperienceStore {
    /** Drawn starts per sequence before {@link Slicing#WITHIN_EPISODE} gives up. */
    static final int MAX_SLICE_DRAWS = 10_000;

    private final Map<String, TensorSpec> observationSpecs = new LinkedHashMap<>();
    private final TensorSpec actionSpec;
    private final List<List<EpisodeBuffer>> byEnv = new ArrayList<>();
    private final List<EpisodeBuffer> finished = new ArrayList<>();
    private long numSteps;
    private int numEpisodes;
    private long tick;

    /** A stored step: step {@code t} of episode {@code episode} (an index into its environment's list). */
    private record StepRef(int env, int episode, int t) {}

    public InMemoryExperience(EnvSpec spec) {
        spec.observationSpace().spaces().forEach((name, space) -> observationSpecs.put(name, space.tensorSpec()));
        this.actionSpec = spec.actionSpace().tensorSpec();
        for (int i = 0; i < spec.numEnvs(); i++) {
            byEnv.add(new ArrayList<>());
        }
    }

    @Override
    public synchronized void appendObservations(StepBatch batch) {
        long thisTick = tick++;
        for (int i = 0; i < batch.size(); i++) {
            List<EpisodeBuffer> episodes = byEnv.get(i);
            EpisodeBuffer current = episodes.isEmpty() ? null : episodes.get(episodes.size() - 1);
            if (batch.isFirst()[i] || current == null || current.ended) {
                current = new EpisodeBuffer(batch.episodeIds()[i]);
                episodes.add(current);
                numEpisodes++;
            }
            Map<String, ByteBuffer> obs = new LinkedHashMap<>();
            for (String name : observationSpecs.keySet()) {
                obs.put(name, batch.observations().get(name).batchEntry(i).buffer());
            }
            current.append(obs, batch.isFirst()[i] ? 0f : batch.rewards()[i], thisTick);
            numSteps++;
            if (batch.isLast(i)) {
                current.ended = true;
                current.terminated = batch.terminated()[i];
                finished.add(current);
            }
        }
    }

    @Override
    public synchronized void appendActions(Tensor actions) {
        for (int i = 0; i < byEnv.size(); i++) {
            List<EpisodeBuffer> episodes = byEnv.get(i);
            if (episodes.isEmpty()) {
                continue;
            }
            EpisodeBuffer current = episodes.get(episodes.size() - 1);
            if (!current.ended) {
                current.actions.put(current.length - 1, actions.batchEntry(i).buffer());
            }
        }
    }

    @Override
    public synchronized long numSteps() {
        return numSteps;
    }

    @Override
    public synchronized int numEpisodes() {
        return numEpisodes;
    }

    @Override
    public SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        return sampleSequences(SampleRequest.of(batchSize, length), rng);
    }

    @Override
    public synchronized SequenceBatch sampleSequences(SampleRequest request, RandomGenerator rng) {
        checkNotEmpty();
        int batchSize = request.batchSize();
        int length = request.length();
        SequenceBatch out = SequenceBatch.zeros(observationSpecs, actionSpec, batchSize, length);
        Map<String, Tensor> obs = out.observations().asMap();
        Tensor actions = out.actions();
        Tensor rewards = out.rewards();
        Tensor isFirst = out.isFirst();
        Tensor isTerminal = out.isTerminal();
        Tensor mask = out.mask();
        for (int b = 0; b < batchSize; b++) {
            // a sequence's recency age counts from the newest start with `length` steps after it (Selector.Recency)
            StepRef start = request.slicing() == Slicing.WITHIN_EPISODE ? fittingStart(request.selector(), length, rng)
                    : pick(request.selector(), length - 1, rng);
            List<EpisodeBuffer> episodes = byEnv.get(start.env());
            int episode = start.episode();
            int t = start.t();
            for (int s = 0; s < length; s++) {
                if (t >= episodes.get(episode).length) {
                    if (request.slicing() != Slicing.CROSS_EPISODES || episode + 1 >= episodes.size()) {
                        break; // padding: mask stays 0
                    }
                    episode++;
                    t = 0;
                }
                EpisodeBuffer e = episodes.get(episode);
                int flat = b * length + s;
                for (Map.Entry<String, Tensor> o : obs.entrySet()) {
                    e.observations.get(o.getKey()).copyTo(t, o.getValue(), flat);
                }
                e.actions.copyTo(t, actions, flat);
                e.rewards.copyTo(t, rewards, flat);
                isFirst.setFloat(flat, t == 0 ? 1 : 0);
                isTerminal.setFloat(flat, e.ended && e.terminated && t == e.length - 1 ? 1 : 0);
                mask.setFloat(flat, 1);
                t++;
            }
        }
        return out;
    }

    @Override
    public synchronized NamedTensors sampleFrames(int batchSize, Collection<String> keys, Selector selector,
            RandomGenerator rng) {
        checkNotEmpty();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : keys) {
            TensorSpec spec = observationSpecs.get(key);
            if (spec == null) {
                throw new IllegalArgumentException("no observation named '" + key + "'; there are " + observationSpecs.keySet());
            }
            out.put(key, Tensor.allocate(spec.dtype(), spec.batchShape(batchSize)));
        }
        for (int b = 0; b < batchSize; b++) {
            StepRef frame = pick(selector, 0, rng);
            EpisodeBuffer e = byEnv.get(frame.env()).get(frame.episode());
            for (Map.Entry<String, Tensor> o : out.entrySet()) {
                e.observations.get(o.getKey()).copyTo(frame.t(), o.getValue(), b);
            }
        }
        return NamedTensors.of(out);
    }

    @Override
    public synchronized List<Episode> recentEpisodes(int max) {
        List<Episode> out = new ArrayList<>();
        for (EpisodeBuffer e : finished.subList(Math.max(0, finished.size() - max), finished.size())) {
            Episode view = e.view();
            Map<String, Tensor> obs = new LinkedHashMap<>();
            view.observations().asMap().forEach((name, t) -> obs.put(name, t.copy()));
            out.add(new Episode(view.id(), NamedTensors.of(obs), view.actions().copy(), view.rewards().copy(), view.terminated()));
        }
        return out;
    }

    /** Visits the finished episodes as read-only views of their columns. */
    @Override
    public synchronized void forEachEpisode(Consumer<? super Episode> visitor) {
        for (EpisodeBuffer e : finished) {
            visitor.accept(e.view());
        }
    }

    private void checkNotEmpty() {
        if (numSteps == 0) {
            throw new IllegalStateException("the experience is empty");
        }
    }

    private StepRef fittingStart(Selector selector, int length, RandomGenerator rng) {
        for (int draw = 0; draw < MAX_SLICE_DRAWS; draw++) {
            StepRef start = pick(selector, length - 1, rng);
            if (start.t() + length <= byEnv.get(start.env()).get(start.episode()).length) {
                return start;
            }
        }
        throw new IllegalStateException("no stored episode holds " + length + " steps (" + MAX_SLICE_DRAWS
                + " drawn starts found no slice inside one episode)");
    }

    private StepRef pick(Selector selector, long newestSkipped, RandomGenerator rng) {
        if (selector instanceof Selector.Recency recency) {
            return pickRecent(recency, newestSkipped, rng);
        }
        long target = rng.nextLong(numSteps); // uniform over stored steps
        for (int env = 0; env < byEnv.size(); env++) {
            List<EpisodeBuffer> episodes = byEnv.get(env);
            for (int episode = 0; episode < episodes.size(); episode++) {
                int len = episodes.get(episode).length;
                if (target < len) {
                    return new StepRef(env, episode, (int) target);
                }
                target -= len;
            }
        }
        throw new IllegalStateException("step past the stored steps");
    }

    /**
     * An age drawn from the recency weights over the ticks, an environment uniformly, redrawn
     * where that environment stored nothing at that tick; every tick stored a step of
     * environment 0, so a draw succeeds with probability at least 1 / environments. The newest
     * {@code newestSkipped} ticks (those a sequence could not fill) are never drawn; ages count
     * from the tick before them.
     */
    private StepRef pickRecent(Selector.Recency recency, long newestSkipped, RandomGenerator rng) {
        long newest = tick - 1 - Math.min(newestSkipped, tick - 1);
        while (true) {
            long at = newest - recency.sampleAge(newest, rng);
            int env = rng.nextInt(byEnv.size());
            List<EpisodeBuffer> episodes = byEnv.get(env);
            int lo = 0;
            int hi = episodes.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                EpisodeBuffer e = episodes.get(mid);
                if (at < e.ticks[0]) {
                    hi = mid - 1;
                } else if (at > e.ticks[e.length - 1]) {
                    lo = mid + 1;
                } else {
                    int t = java.util.Arrays.binarySearch(e.ticks, 0, e.length, at);
                    if (t >= 0) {
                        return new StepRef(env, mid, t);
                    }
                    break;
                }
            }
        }
    }


    /** One field of an episode's steps, contiguous in a direct buffer that doubles as it fills. */
    private static final class Column {
        final TensorSpec spec;
        final int stepBytes;
        ByteBuffer data;

        Column(TensorSpec spec) {
            this.spec = spec;
            this.stepBytes = (int) (spec.numElements() * spec.dtype().byteSize());
            this.data = ByteBuffer.allocateDirect(Math.max(1, 16 * stepBytes)).order(ByteOrder.nativeOrder());
        }

        /** Writes one step's value at step {@code t}. */
        void put(int t, ByteBuffer value) {
            ensure(t);
            data.put(t * stepBytes, value, 0, stepBytes);
        }

        /**
         * Makes room for step {@code t}, doubling the buffer if needed; a new step reads as zeros
         * (direct buffers start zeroed). Views of the old buffer keep it alive and unchanged.
         */
        void ensure(int t) {
            if ((long) (t + 1) * stepBytes > data.capacity()) {
                ByteBuffer grown = ByteBuffer.allocateDirect(Math.max((t + 1) * stepBytes, 2 * data.capacity()))
                        .order(ByteOrder.nativeOrder());
                grown.put(0, data, 0, data.capacity());
                data = grown;
            }
        }

        void copyTo(int t, Tensor target, int row) {
            target.buffer().put(row * stepBytes, data, t * stepBytes, stepBytes);
        }

        /** The first {@code steps} steps as a read-only tensor {@code [steps, ...]} over this column's memory. */
        Tensor view(int steps) {
            return Tensor.wrap(data.slice(0, steps * stepBytes).asReadOnlyBuffer(), spec.dtype(), spec.batchShape(steps));
        }
    }

    private final class EpisodeBuffer {
        final long id;
        final Map<String, Column> observations = new LinkedHashMap<>();
        final Column actions = new Column(actionSpec);
        final Column rewards = new Column(new TensorSpec(DType.FLOAT32, new int[0]));
        long[] ticks = new long[16];
        int length;
        boolean ended;
        boolean terminated;

        EpisodeBuffer(long id) {
            this.id = id;
            observationSpecs.forEach((name, spec) -> observations.put(name, new Column(spec)));
        }

        void append(Map<String, ByteBuffer> obs, float reward, long tick) {
            obs.forEach((name, value) -> observations.get(name).put(length, value));
            actions.ensure(length); // zeros until the action comes
            rewards.ensure(length);
            rewards.data.putFloat(4 * length, reward);
            if (length == ticks.length) {
                ticks = java.util.Arrays.copyOf(ticks, 2 * length);
            }
            ticks[length++] = tick;
        }

        Episode view() {
            Map<String, Tensor> obs = new LinkedHashMap<>();
            observations.forEach((name, column) -> obs.put(name, column.view(length)));
            return new Episode(id, NamedTensors.of(obs), actions.view(length), rewards.view(length), terminated);
        }
    }
}
