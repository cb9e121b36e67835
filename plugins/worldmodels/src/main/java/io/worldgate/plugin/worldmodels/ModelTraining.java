package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Tensors;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training of V and M on the run's experience: V's updates on sampled frames, every stored
 * episode encoded through V, M's updates on windows of the encoded episodes; with their optimisers.
 * The agent decides when (its procedure's collect step) and lends the random stream of its call.
 */
final class ModelTraining implements AutoCloseable {
    private static final int ENCODE_CHUNK = 256;
    private static final int PROGRESS_EVERY = 100;

    private final WorldModelsConfig config;
    private final Spaces spaces;
    private final Experience experience;
    private final MetricsSink metrics;
    private final NDManager manager;
    private final ParameterStore ps;
    private final Vae vae;
    private final MdnRnn rnn;
    private final Adam vaeOpt;
    private final Adam rnnOpt;

    /** Builds V's and M's optimisers; call without a gradient tape. */
    ModelTraining(WorldModelsConfig config, Spaces spaces, Experience experience, MetricsSink metrics,
            NDManager manager, ParameterStore ps, Vae vae, MdnRnn rnn) {
        this.config = config;
        this.spaces = spaces;
        this.experience = experience;
        this.metrics = metrics;
        this.manager = manager;
        this.ps = ps;
        this.vae = vae;
        this.rnn = rnn;
        this.vaeOpt = Adam.builder().learningRate(config.vaeLr()).build(Parameters.trainable(vae));
        this.rnnOpt = Adam.builder().learningRate(config.rnnLr()).clipGlobalNorm(config.gradClip())
                .build(Parameters.trainable(rnn));
    }

    /** V's updates: {@code vae_epochs} passes over the stored frames. */
    Map<String, Double> trainVae(SplittableRandom rng) {
        long updates = (long) Math.ceil(config.vaeEpochs() * experience.numSteps() / config.vaeBatch());
        Map<String, Double> last = Map.of();
        long t0 = System.nanoTime();
        try (NoGradient off = NoGradient.open()) {
            for (long u = 0; u < updates; u++) {
                Tensor frames = experience.sampleFrames(config.vaeBatch(), List.of(Spaces.IMAGE), rng).get(Spaces.IMAGE);
                last = vaeUpdate(frames, rng);
                progress(u, updates, last);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>(last);
        out.put("vae/updates", (double) updates);
        out.put("vae/seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    /** One V update on uint8 frames {@code [B, 64, 64, 3]}. */
    Map<String, Double> vaeUpdate(Tensor frames, SplittableRandom rng) {
        try (UpdateScope u = UpdateScope.open(manager)) {
            NDManager m = u.manager();
            NDArray x = Vae.pixels(Tensors.toNDArray(m, frames));
            long b = x.getShape().get(0);
            NDArray eps = m.create(Dream.gaussians((int) b * config.zSize(), rng), new Shape(b, config.zSize()));
            WorldModelsLosses.Loss loss;
            try (GradientScope tape = GradientScope.open()) {
                NDList post = vae.encode(ps, x, true);
                NDArray z = Vae.draw(post.get(0), post.get(1), eps);
                loss = WorldModelsLosses.vae(x, vae.decode(ps, z, true), post.get(0), post.get(1), config.klTolerance());
                tape.backward(loss.total());
            }
            vaeOpt.step();
            return loss.metrics();
        }
    }

    /** Every stored episode through V: posterior per step, model actions. */
    EncodedEpisodes encodeEpisodes() {
        EncodedEpisodes encoded = new EncodedEpisodes(config.zSize(), spaces.actionSize());
        try (NoGradient off = NoGradient.open()) {
            experience.forEachEpisode(e -> encoded.add(encode(e)));
        }
        return encoded;
    }

    private EncodedEpisodes.Encoded encode(Episode e) {
        int t = e.length();
        int z = config.zSize();
        float[] mu = new float[t * z];
        float[] logVar = new float[t * z];
        try (UpdateScope u = UpdateScope.open(manager)) {
            NDManager m = u.manager();
            NDArray frames = Tensors.toNDArray(m, e.observations().get(Spaces.IMAGE));
            for (int s = 0; s < t; s += ENCODE_CHUNK) {
                int end = Math.min(t, s + ENCODE_CHUNK);
                NDList post = vae.encode(ps, Vae.pixels(frames.get("{}:{}", s, end)), false);
                System.arraycopy(post.get(0).toFloatArray(), 0, mu, s * z, (end - s) * z);
                System.arraycopy(post.get(1).toFloatArray(), 0, logVar, s * z, (end - s) * z);
            }
            float[] actions = spaces.modelActions(Tensors.toNDArray(m, e.actions()), 1).toFloatArray();
            return new EncodedEpisodes.Encoded(t, mu, logVar, actions, e.terminated());
        }
    }

    /**
     * M's updates: {@code rnn_epochs} passes over the encoded episodes, by windows from a zero state
     * ({@code rnn_state=reset}: {@code epochs x episodes / rnn_batch} windows) or by streams whose
     * state is carried from window to window ({@code rnn_state=carry}: each pass has every transition
     * in one window; a fraction of an epoch takes that fraction of a pass's windows; the losses
     * returned are the last pass's means).
     */
    Map<String, Double> trainRnn(EncodedEpisodes encoded, SplittableRandom rng) {
        if (encoded.size() == 0) {
            throw new AgentException("worldmodels: the experience holds no finished episode of two or more steps to train M on");
        }
        long t0 = System.nanoTime();
        Map<String, Double> out;
        try (NoGradient off = NoGradient.open()) {
            out = config.carryRnnState() ? trainRnnOnStreams(encoded, rng) : trainRnnOnWindows(encoded, rng);
        }
        out.put("rnn/seconds", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private Map<String, Double> trainRnnOnWindows(EncodedEpisodes encoded, SplittableRandom rng) {
        long updates = (long) Math.ceil(config.rnnEpochs() * encoded.size() / config.rnnBatch());
        Map<String, Double> last = Map.of();
        for (long u = 0; u < updates; u++) {
            last = rnnUpdate(encoded.sample(config.rnnBatch(), config.rnnSeqLen(), rng));
            progress(u, updates, last);
        }
        Map<String, Double> out = new LinkedHashMap<>(last);
        out.put("rnn/updates", (double) updates);
        return out;
    }

    private Map<String, Double> trainRnnOnStreams(EncodedEpisodes encoded, SplittableRandom rng) {
        List<EncodedEpisodes.Streams> passes = new ArrayList<>();
        List<Long> taken = new ArrayList<>();
        long updates = 0;
        for (double left = config.rnnEpochs(); left > 0; left -= 1) {
            EncodedEpisodes.Streams pass = encoded.streams(config.rnnBatch(), config.rnnSeqLen(), rng);
            passes.add(pass);
            taken.add((long) Math.ceil(Math.min(left, 1) * pass.windows()));
            updates += taken.get(taken.size() - 1);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        long u = 0;
        for (int p = 0; p < passes.size(); p++) {
            Map<String, Double> sums = new LinkedHashMap<>();
            try (CarriedState carried = new CarriedState(manager)) {
                for (long k = 0; k < taken.get(p); k++, u++) {
                    Map<String, Double> one = rnnUpdate(passes.get(p).next(rng), carried);
                    one.forEach((key, v) -> sums.merge(key, v, Double::sum));
                    progress(u, updates, one);
                }
            }
            // the pass's means: its windows differ (the last one holds the ends of most rows)
            double n = taken.get(p);
            out.clear();
            sums.forEach((key, v) -> out.put(key, v / n));
        }
        out.put("rnn/updates", (double) updates);
        return out;
    }

    /** One M update on a batch of windows, the LSTM unrolled over them from a zero state. */
    Map<String, Double> rnnUpdate(EncodedEpisodes.Windows w) {
        return rnnUpdate(w, null);
    }

    /**
     * One M update on a batch of windows, the LSTM unrolled over them from {@code carried}'s state
     * (null: from a zero state), zeroed where {@link EncodedEpisodes.Windows#reset} says; the state
     * after the last step goes back into {@code carried}, for the next window of the same streams.
     */
    Map<String, Double> rnnUpdate(EncodedEpisodes.Windows w, CarriedState carried) {
        int z = config.zSize();
        int a = spaces.actionSize();
        try (UpdateScope u = UpdateScope.open(manager)) {
            NDManager m = u.manager();
            NDArray zs = m.create(w.z(), new Shape(w.batch(), w.steps(), z));
            NDArray as = m.create(w.actions(), new Shape(w.batch(), w.steps(), a));
            NDArray next = m.create(w.nextZ(), new Shape(w.batch(), w.steps(), z));
            NDArray done = m.create(w.done(), new Shape(w.batch(), w.steps()));
            NDArray mask = m.create(w.mask(), new Shape(w.batch(), w.steps()));
            WorldModelsLosses.Loss loss;
            try (GradientScope tape = GradientScope.open()) {
                MdnRnn.State initial = carried == null ? rnn.initial(m, w.batch()) : carried.take(rnn, m, w.batch());
                MdnRnn.Unrolled unrolled = rnn.unroll(ps, zs, as, w.reset(), initial, true);
                NDList nll = new NDList(w.steps());
                NDList doneLogits = new NDList(w.steps());
                for (int t = 0; t < w.steps(); t++) {
                    MdnRnn.Mixture mixture = unrolled.mixtures().get(t);
                    nll.add(WorldModelsLosses.mixtureNll(mixture, next.get(":, {}", t)));
                    if (rnn.predictsDone()) {
                        doneLogits.add(mixture.doneLogit());
                    }
                }
                loss = WorldModelsLosses.mdn(NDArrays.stack(nll, 1),
                        rnn.predictsDone() ? NDArrays.stack(doneLogits, 1) : null, done, mask, config.doneWeight());
                tape.backward(loss.total());
                if (carried != null) {
                    carried.keep(unrolled.last());
                }
            }
            rnnOpt.step();
            Map<String, Double> out = new LinkedHashMap<>(loss.metrics());
            out.put("rnn/grad_norm", (double) rnnOpt.lastGradientNorm());
            return out;
        }
    }

    /**
     * V's and M's training may take long: their losses are reported every {@value #PROGRESS_EVERY}
     * updates (the host records what {@code train} returns, the last update's).
     */
    private void progress(long update, long updates, Map<String, Double> values) {
        if ((update + 1) % PROGRESS_EVERY == 0 && update + 1 < updates) {
            values.forEach(metrics::scalar);
        }
    }

    void saveOptimizers(DataOutputStream out) throws IOException {
        vaeOpt.saveState(out);
        rnnOpt.saveState(out);
    }

    void loadOptimizers(DataInputStream in) throws IOException, IncompatibleCheckpointException {
        vaeOpt.loadState(in);
        rnnOpt.loadState(in);
    }

    @Override
    public void close() {
        vaeOpt.close();
        rnnOpt.close();
    }
}
