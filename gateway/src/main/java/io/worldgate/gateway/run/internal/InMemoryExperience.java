package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.Space;
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
 * The host's experience of one run, kept in memory: one list of episodes per environment, each
 * step aligned as {@link Experience} describes. The host appends observations after every reset
 * or step and the agent's actions after every act.
 */
public final class InMemoryExperience implements ExperienceStore {
    private final Map<String, TensorSpec> observationSpecs = new LinkedHashMap<>();
    private final TensorSpec actionSpec;
    private final List<List<EpisodeBuffer>> byEnv = new ArrayList<>();
    private final List<EpisodeBuffer> finished = new ArrayList<>();
    private long numSteps;
    private int numEpisodes;

    public InMemoryExperience(EnvSpec spec) {
        spec.observationSpace().spaces().forEach((name, space) -> observationSpecs.put(name, space.tensorSpec()));
        Space actions = spec.actionSpace();
        this.actionSpec = actions.tensorSpec();
        for (int i = 0; i < spec.numEnvs(); i++) {
            byEnv.add(new ArrayList<>());
        }
    }

    @Override
    public synchronized void appendObservations(StepBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            List<EpisodeBuffer> episodes = byEnv.get(i);
            EpisodeBuffer current = episodes.isEmpty() ? null : episodes.get(episodes.size() - 1);
            if (batch.isFirst()[i] || current == null || current.ended) {
                current = new EpisodeBuffer(batch.episodeIds()[i]);
                episodes.add(current);
                numEpisodes++;
            }
            Map<String, Tensor> obs = new LinkedHashMap<>();
            for (String name : observationSpecs.keySet()) {
                obs.put(name, batch.observations().get(name).batchEntry(i).copy());
            }
            current.observations.add(obs);
            current.rewards.add(batch.isFirst()[i] ? 0f : batch.rewards()[i]);
            current.actions.add(null);
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
            EpisodeBuffer current = episodes.get(episodes.size() - 1);
            if (!current.ended) {
                current.actions.set(current.actions.size() - 1, actions.batchEntry(i).copy());
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
    public synchronized SequenceBatch sampleSequences(int batchSize, int length, RandomGenerator rng) {
        if (numSteps == 0) {
            throw new IllegalStateException("the experience is empty");
        }
        Map<String, Tensor> obs = new LinkedHashMap<>();
        observationSpecs.forEach((name, spec) -> obs.put(name, Tensor.allocate(spec.dtype(), prepend(batchSize, length, spec.shape()))));
        Tensor actions = Tensor.allocate(actionSpec.dtype(), prepend(batchSize, length, actionSpec.shape()));
        Tensor rewards = Tensor.allocate(io.worldgate.api.tensor.DType.FLOAT32, batchSize, length);
        Tensor isFirst = Tensor.allocate(io.worldgate.api.tensor.DType.FLOAT32, batchSize, length);
        Tensor isTerminal = Tensor.allocate(io.worldgate.api.tensor.DType.FLOAT32, batchSize, length);
        Tensor mask = Tensor.allocate(io.worldgate.api.tensor.DType.FLOAT32, batchSize, length);
        for (int b = 0; b < batchSize; b++) {
            // Uniform over stored steps: pick a step index, then find its environment and episode.
            long target = rng.nextLong(numSteps);
            int env = 0;
            int episode = 0;
            int t = 0;
            search:
            for (env = 0; env < byEnv.size(); env++) {
                List<EpisodeBuffer> episodes = byEnv.get(env);
                for (episode = 0; episode < episodes.size(); episode++) {
                    int len = episodes.get(episode).length();
                    if (target < len) {
                        t = (int) target;
                        break search;
                    }
                    target -= len;
                }
            }
            List<EpisodeBuffer> episodes = byEnv.get(env);
            for (int s = 0; s < length; s++) {
                while (episode < episodes.size() && t >= episodes.get(episode).length()) {
                    episode++;
                    t = 0;
                }
                if (episode >= episodes.size()) {
                    break; // padding: mask stays 0
                }
                EpisodeBuffer e = episodes.get(episode);
                int flat = b * length + s;
                for (Map.Entry<String, Tensor> o : obs.entrySet()) {
                    copyInto(e.observations.get(t).get(o.getKey()), o.getValue(), flat);
                }
                Tensor a = e.actions.get(t);
                if (a != null) {
                    copyInto(a, actions, flat);
                }
                rewards.setFloat(flat, e.rewards.get(t));
                isFirst.setFloat(flat, t == 0 ? 1 : 0);
                isTerminal.setFloat(flat, e.ended && e.terminated && t == e.length() - 1 ? 1 : 0);
                mask.setFloat(flat, 1);
                t++;
            }
        }
        return new SequenceBatch(NamedTensors.of(obs), actions, rewards, isFirst, isTerminal, mask);
    }

    @Override
    public synchronized List<Episode> recentEpisodes(int max) {
        List<Episode> out = new ArrayList<>();
        for (EpisodeBuffer e : finished.subList(Math.max(0, finished.size() - max), finished.size())) {
            out.add(e.toEpisode(observationSpecs, actionSpec));
        }
        return out;
    }

    private static int[] prepend(int b, int t, int[] shape) {
        int[] out = new int[shape.length + 2];
        out[0] = b;
        out[1] = t;
        System.arraycopy(shape, 0, out, 2, shape.length);
        return out;
    }

    /** Copies {@code entry} into row {@code row} of {@code target} viewed as {@code [rows, entry...]}. */
    private static void copyInto(Tensor entry, Tensor target, int row) {
        int bytes = entry.byteSize();
        ByteBuffer dst = target.buffer();
        dst.position(row * bytes);
        dst.put(entry.buffer());
    }

    private static final class EpisodeBuffer {
        final long id;
        final List<Map<String, Tensor>> observations = new ArrayList<>();
        final List<Float> rewards = new ArrayList<>();
        final List<Tensor> actions = new ArrayList<>();
        boolean ended;
        boolean terminated;

        EpisodeBuffer(long id) {
            this.id = id;
        }

        int length() {
            return rewards.size();
        }

        Episode toEpisode(Map<String, TensorSpec> obsSpecs, TensorSpec actionSpec) {
            int len = length();
            Map<String, Tensor> obs = new LinkedHashMap<>();
            obsSpecs.forEach((name, spec) -> {
                int[] shape = new int[spec.shape().length + 1];
                shape[0] = len;
                System.arraycopy(spec.shape(), 0, shape, 1, spec.shape().length);
                Tensor t = Tensor.allocate(spec.dtype(), shape);
                for (int i = 0; i < len; i++) {
                    copyInto(observations.get(i).get(name), t, i);
                }
                obs.put(name, t);
            });
            Tensor acts = Tensor.allocate(actionSpec.dtype(), actionSpec.batchShape(len));
            Tensor rews = Tensor.allocate(io.worldgate.api.tensor.DType.FLOAT32, len);
            for (int i = 0; i < len; i++) {
                if (actions.get(i) != null) {
                    copyInto(actions.get(i), acts, i);
                }
                rews.setFloat(i, rewards.get(i));
            }
            return new Episode(id, NamedTensors.of(obs), acts, rews, terminated);
        }
    }
}
