package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.gateway.run.internal.experience.StepReader.StepRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The disk store's reads, as its agent sees them: sequences (sliced as a
 * {@link io.worldgate.api.experience.SampleRequest} says, starts drawn by a {@link StepSelector}),
 * frames, and finished episodes as copies or views. It reads the store's chunks and index in the
 * state they are in at the call; the store calls it under its lock.
 */
final class Sampler {
    /** Drawn starts per sequence before {@link Slicing#WITHIN_EPISODE} gives up: no stored episode is long enough. */
    static final int MAX_SLICE_DRAWS = 10_000;

    private final Map<String, TensorSpec> observationSpecs;
    private final TensorSpec actionSpec;
    private final StepLayout layout;
    private final List<EnvStream> streams;
    private final ChunkQueue sealed;
    private final EpisodeIndex episodes;
    private final StepReader reader;

    Sampler(Map<String, TensorSpec> observationSpecs, TensorSpec actionSpec, StepLayout layout, List<EnvStream> streams,
            ChunkQueue sealed, EpisodeIndex episodes, StepReader reader) {
        this.observationSpecs = observationSpecs;
        this.actionSpec = actionSpec;
        this.layout = layout;
        this.streams = streams;
        this.sealed = sealed;
        this.episodes = episodes;
        this.reader = reader;
    }

    SequenceBatch sequences(SampleRequest request, RandomGenerator rng) {
        // a sequence's recency age counts from the newest start with `length` steps after it (Selector.Recency)
        StepSelector selector = selector(request.selector(), request.length() - 1);
        int batchSize = request.batchSize();
        int length = request.length();
        SequenceBatch out = SequenceBatch.zeros(observationSpecs, actionSpec, batchSize, length);
        Map<String, Tensor> obs = out.observations().asMap();
        Tensor actions = out.actions();
        Tensor rewards = out.rewards();
        Tensor isFirst = out.isFirst();
        Tensor isTerminal = out.isTerminal();
        Tensor mask = out.mask();
        StepReader.Target target = reader.target(obs, actions, rewards, isFirst, isTerminal, mask);
        boolean within = request.slicing() != Slicing.CROSS_EPISODES;
        for (int b = 0; b < batchSize; b++) {
            StepRef start = request.slicing() == Slicing.WITHIN_EPISODE ? fittingStart(selector, length, rng) : selector.pick(rng);
            reader.copy(start.chunk(), start.t(), b * length, length, target, within);
        }
        return out;
    }

    /** A start drawn by {@code selector} among those from which {@code length} steps of one episode are stored. */
    private StepRef fittingStart(StepSelector selector, int length, RandomGenerator rng) {
        for (int draw = 0; draw < MAX_SLICE_DRAWS; draw++) {
            StepRef start = selector.pick(rng);
            if (reader.fitsInEpisode(start.chunk(), start.t(), length)) {
                return start;
            }
        }
        throw new IllegalStateException("no stored episode holds " + length + " steps (" + MAX_SLICE_DRAWS
                + " drawn starts found no slice inside one episode)");
    }

    NamedTensors frames(int batchSize, Collection<String> keys, Selector selector, RandomGenerator rng) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        for (String key : keys) {
            TensorSpec spec = observationSpecs.get(key);
            if (spec == null) {
                throw new IllegalArgumentException("no observation named '" + key + "'; there are " + observationSpecs.keySet());
            }
            obs.put(key, Tensor.allocate(spec.dtype(), spec.batchShape(batchSize)));
        }
        StepSelector picker = selector(selector, 0);
        StepReader.Target target = reader.target(obs, null, null, null, null, null);
        for (int b = 0; b < batchSize; b++) {
            StepRef frame = picker.pick(rng);
            reader.copy(frame.chunk(), frame.t(), b, 1, target, false);
        }
        return NamedTensors.of(obs);
    }

    /** A selector over the stored steps; recency skips the newest {@code newestSkipped} ticks and counts age from the next. */
    private StepSelector selector(Selector selector, long newestSkipped) {
        long stagingSteps = 0;
        for (EnvStream s : streams) {
            stagingSteps += s.staging == null ? 0 : s.staging.count;
        }
        if (sealed.steps() + stagingSteps == 0) {
            throw new IllegalStateException("the experience is empty");
        }
        if (selector instanceof Selector.Recency recency) {
            return new RecentSteps(recency, streams, reader, newestSkipped);
        }
        return new UniformSteps(sealed, streams, stagingSteps);
    }

    List<Episode> recentEpisodes(int max) {
        List<Episode> out = new ArrayList<>();
        for (EpisodeIndex.Finished f : episodes.recent(max, this::retainedStart)) {
            out.add(copy(f));
        }
        return out;
    }

    /** Visits the indexed finished episodes as views of their chunk; one held across two chunks is copied. */
    void forEachEpisode(Consumer<? super Episode> visitor) {
        for (EpisodeIndex.Finished f : episodes.recent(Integer.MAX_VALUE, this::retainedStart)) {
            Chunk c = streams.get(f.env()).find(f.start());
            int t = (int) (f.start() - c.streamStart);
            visitor.accept(t + f.length() <= c.count ? view(f, c, t) : copy(f));
        }
    }

    private Episode view(EpisodeIndex.Finished f, Chunk c, int t) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        layout.observationColumns().forEach((name, col) -> obs.put(name, reader.view(c, col, t, f.length())));
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        observationSpecs.keySet().forEach(name -> ordered.put(name, obs.get(name)));
        Tensor actions = reader.view(c, layout.actionColumn(), t, f.length()).reshape(actionSpec.batchShape(f.length()));
        Tensor rewards = reader.view(c, layout.rewardColumn(), t, f.length()).reshape(f.length());
        return new Episode(f.id(), NamedTensors.of(ordered), actions, rewards, f.terminated());
    }

    private Episode copy(EpisodeIndex.Finished f) {
        int len = f.length();
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observationSpecs.forEach((name, spec) -> obs.put(name, Tensor.allocate(spec.dtype(), spec.batchShape(len))));
        Tensor acts = Tensor.allocate(actionSpec.dtype(), actionSpec.batchShape(len));
        Tensor rews = Tensor.allocate(DType.FLOAT32, len);
        Chunk c = streams.get(f.env()).find(f.start());
        reader.copy(c, (int) (f.start() - c.streamStart), 0, len, reader.target(obs, acts, rews, null, null, null), false);
        return new Episode(f.id(), NamedTensors.of(obs), acts, rews, f.terminated());
    }

    private long retainedStart(int env) {
        return streams.get(env).retainedStart();
    }

}
