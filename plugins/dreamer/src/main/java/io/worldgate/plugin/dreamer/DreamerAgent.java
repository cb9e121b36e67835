package io.worldgate.plugin.dreamer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.agent.CheckpointFiles;
import io.worldgate.runtime.agent.PerEnvState;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.runtime.nn.Autocast;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.EncoderSettings;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.nn.Precision;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.plan.Cem;
import io.worldgate.runtime.plan.Plan;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Tensors;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import io.worldgate.runtime.agent.ResumedRandom;
import java.util.SplittableRandom;

/**
 * The Dreamer agent: acts with the RSSM's filtered state and the actor, and trains the
 * {@link WorldModel} on replayed sequences and the {@link ActorCritic} in imagination.
 *
 * <p><b>Acting.</b> For each {@link ActMode} the agent keeps its own per-environment state
 * {@code (h, z, a_prev)} in a {@link PerEnvState} (the host may evaluate on other environments,
 * with another batch size).
 * Each call encodes the observations, resets entry {@code i} to the initial state where
 * {@code isFirst[i]}, takes one {@link Rssm#obsStep} and asks the actor: a sample in EXPLORE, the
 * mode (of the posterior and the actor: deterministic) in EVAL. With {@code planner=cem} (continuous
 * actions only) PlaNet's {@link Cem} plans over the world model instead of the actor
 * ({@link DreamerLatentModel}), warm-started from the same environment's previous plan (cold where
 * {@code isFirst}); its plan is carried with the state.
 *
 * <p><b>Training.</b> {@code train(n)} runs {@code n} updates, each on {@code batch_size}
 * sequences of {@code batch_length} steps sampled uniformly from the host's experience: one
 * world-model step, then one actor and one critic step on trajectories imagined from every
 * posterior state of the batch. The host's {@code --train-ratio} is updates per env step;
 * DreamerV3's replay ratio {@code ρ} (replayed steps per env step) is {@code ratio x B x T}, so
 * ρ = 512 at 16 x 64 is {@code --train-ratio 0.5}.
 *
 * <p><b>Checkpoints.</b> {@code save} writes every network (world model, actor, critic, slow
 * critic, HarmonyDream scales) as one {@link BlockCheckpoint}, the three optimizers' moments, and
 * the return normaliser's state, each file through {@link CheckpointFiles} (the properties file,
 * with format and version, last); {@code load} checks format, version, HarmonyDream's balanced
 * terms and shapes first and throws {@link IncompatibleCheckpointException} without changing
 * anything when they differ.
 *
 * <p>NDArray lifetimes follow the runtime's pattern: parameters and optimizer moments in the
 * agent's manager; each act and each update in an {@link UpdateScope}; the carried per-environment
 * state in a sub-manager per mode, replaced on every call.
 */
final class DreamerAgent implements Agent {
    static final String NETWORKS = "dreamer-networks";
    static final String NETWORKS_KIND = "dreamer/networks/1";
    static final String STATE_FILE = "dreamer.properties";
    static final String OPTIMIZER_FILE = "dreamer-optimizers.bin";
    private static final String FORMAT = "worldgate-dreamer";
    private static final int FORMAT_VERSION = 1;
    /** The checkpoint property naming HarmonyDream's balanced terms, in the order of their scales. */
    static final String HARMONY_TERMS = "harmonyTerms";
    /** The tag of the open-loop video prediction. */
    static final String VIDEO_TAG = "dreamer/openloop";
    private static final int VIDEO_ROWS = 4;
    private static final int VIDEO_CONTEXT = 5;

    /** The carried state of N environments for one act mode; {@code plan} only with a planner. */
    private record PolicyState(RssmState state, NDArray action, Plan plan) {}

    private final EnvSpec spec;
    private final DreamerConfig config;
    private final AgentContext context;
    private final Experience experience;
    private final NDManager manager;
    /** The precision of the networks' products, as this device can run it. */
    private final Precision precision;
    private final ParameterStore ps;
    private final Spaces spaces;
    private final WorldModel wm;
    /** Another plugin's image encoder in its encoder_mode ({@code encoder=NAME}); null with the CNN. */
    private final BoundEncoder encoder;
    private final ActorCritic ac;
    private final BlockGroup networks;
    private final PerEnvState<PolicyState> policyStates;
    /** PlaNet's CEM over the world model ({@code planner=cem}); null when the actor acts. */
    private final Cem planner;
    private long plans;
    private final Timers timers = new Timers();
    private SplittableRandom rng;
    private final long seed;
    private long updates;
    private boolean closed;

    /**
     * @param externalEncoder another plugin's image encoder ({@code encoder=NAME}), or null for the CNN
     * @param encoding how that encoder is used ({@code encoder_mode} and its settings)
     */
    DreamerAgent(EnvSpec spec, DreamerConfig config, AgentContext context, ImageEncoder externalEncoder,
            EncoderSettings encoding) {
        this.spec = spec;
        this.config = config;
        this.context = context;
        this.experience = context.experience();
        this.seed = context.seed();
        this.spaces = new Spaces(spec, config.obsKeys(), "dreamer");
        if (spaces.hasImage() && (spaces.imageHeight() % 16 != 0 || spaces.imageWidth() % 16 != 0)) {
            throw new io.worldgate.api.agent.AgentException("dreamer's CNN needs image sides divisible by 16, got "
                    + spaces.imageHeight() + "x" + spaces.imageWidth());
        }
        if (externalEncoder != null && spaces.hasImage()) {
            BoundEncoder.requireImageShape(externalEncoder, spaces.imageHeight(), spaces.imageWidth(), spaces.imageChannels(),
                    spec.id());
        }
        if (config.plans() && spaces.discrete()) {
            throw new io.worldgate.api.agent.AgentException("dreamer planner=cem plans continuous actions only; "
                    + spec.id() + " has discrete actions (use planner=actor)");
        }
        this.planner = config.plans() ? new Cem(spaces.actionSize(), config.cem()) : null;
        Device device = Devices.choose(context.device());
        this.precision = config.precision().on(device);
        // parameter initialisation and sampling draw from the engine's generator
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        this.manager = NDManager.newBaseManager(device);
        this.ps = new ParameterStore(manager, false);
        this.policyStates = new PerEnvState<>(manager);
        this.rng = new SplittableRandom(seed);
        // libtorch records autograd on a run's thread unless told not to; initialisation writes
        // parameters in place, which it refuses to do on recorded leaves
        try (NoGradient off = NoGradient.open()) {
            this.encoder = externalEncoder != null && spaces.hasImage()
                    ? BoundEncoder.bind(externalEncoder, encoding, manager)
                    : null;
            this.wm = new WorldModel(config, spaces, encoder);
            this.ac = new ActorCritic(config, spaces);
            this.networks = new BlockGroup();
            networks.add("world_model", wm);
            networks.add("actor_critic", ac);
            if (encoder != null && encoder.network() != null) {
                // a fine-tuned or online encoder is the agent's own: checkpointed with it
                networks.add("image_encoder", encoder.network());
            }
            wm.initialize(manager);
            ac.initialize(manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    DreamerConfig config() {
        return config;
    }

    long updates() {
        return updates;
    }

    /** Act calls answered by the planner ({@code planner=cem}). */
    long plans() {
        return plans;
    }

    /** Tells {@code listener} where the phases of each update start and stop (null: nobody). */
    void listenToPhases(Timers.Listener listener) {
        timers.listen(listener);
    }

    WorldModel worldModel() {
        return wm;
    }

    ActorCritic actorCritic() {
        return ac;
    }

    /** NDArrays held by the agent's manager and its children (parameters, moments, carried state). */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        checkOpen();
        int n = observations.size();
        PolicyState old = policyStates.get(mode, n);
        float[] first = policyStates.resetMask(mode, observations.isFirst());
        boolean explore = mode == ActMode.EXPLORE;
        Tensor out;
        // the next state is opened first, so that the update scope returns the lent old arrays before
        // closing it frees them
        try (PerEnvState.Next<PolicyState> next = policyStates.next(mode, n);
                UpdateScope u = UpdateScope.open(manager); NoGradient off = NoGradient.open();
                Autocast cast = Autocast.open(precision)) {
            NDManager m = u.manager();
            RssmState prev;
            NDArray prevAction;
            if (old == null) {
                prev = wm.rssm.zeroState(m, n);
                prevAction = m.zeros(new ai.djl.ndarray.types.Shape(n, spaces.actionSize()));
            } else {
                prev = old.state().tempAttach(m);
                prevAction = u.borrow(old.action());
            }
            Map<String, NDArray> obs = spaces.observations(m, observations.observations());
            NDArray embed = wm.encode(ps, obs);
            RssmState init = wm.rssm.initialState(ps, m);
            RssmState post = wm.rssm.obsStep(ps, prev, prevAction, embed, m.create(first), init, explore, false);
            NDArray action;
            Plan plan = null;
            if (planner != null) {
                plan = planner.plan(post.features(), new DreamerLatentModel(wm, ac, ps, config.discount()), null,
                        old == null ? null : old.plan(), observations.isFirst(), explore);
                action = plan.action();
                plans++;
            } else {
                action = ac.act(ps, post.features(), explore || config.actorEvalSample());
            }
            out = spaces.hostActions(action);
            RssmState kept = new RssmState(post.deter(), post.stoch(), null).attach(next.manager());
            action.attach(next.manager());
            if (plan != null) {
                plan.mean().attach(next.manager());
                plan.std().attach(next.manager());
            }
            next.commit(new PolicyState(kept, action, plan));
        }
        return out;
    }

    @Override
    public Map<String, Double> train(int count) {
        checkOpen();
        if (count <= 0 || experience.numSteps() == 0) {
            return Map.of();
        }
        timers.reset();
        Map<String, Double> metrics = Map.of();
        Map<String, Double> warmup = Map.of();
        // nothing is recorded outside the gradient scopes of an update (optimizer steps write in place)
        try (NoGradient off = NoGradient.open()) {
            if (encoder != null && updates == 0 && encoder.warmingUp()) {
                warmup = warmUpEncoder();
            }
            for (int i = 0; i < count; i++) {
                metrics = update();
            }
        }
        Map<String, Double> out = new LinkedHashMap<>(metrics);
        if (warmup.containsKey("encoder/warmup_updates")) {
            out.put("encoder/warmup_updates", warmup.get("encoder/warmup_updates"));
        }
        timers.meanMillis().forEach((k, v) -> out.put("time/" + k + "_ms", v));
        out.put("train/updates", (double) updates);
        return out;
    }

    /**
     * The online encoder's {@code encoder_warmup}: its own updates alone, each on a batch drawn as
     * for an update, before the agent's first (a resumed agent has trained: it takes none).
     */
    private Map<String, Double> warmUpEncoder() {
        timers.start("encoder_warmup");
        Map<String, Double> metrics = Map.of();
        while (encoder.warmingUp()) {
            SequenceBatch batch = experience.sampleSequences(config.batchSize(), config.batchLength(), rng);
            try (UpdateScope u = UpdateScope.open(manager); Autocast cast = Autocast.open(precision)) {
                NDManager m = u.manager();
                NDArray images = spaces.observations(m, batch.observations()).get(Spaces.IMAGE);
                metrics = encoder.warmUp(ps, images, Tensors.toNDArray(m, batch.mask()), rng);
            }
        }
        timers.stop("encoder_warmup");
        return metrics;
    }

    /** One world-model update and one actor-critic update on a freshly sampled batch. */
    Map<String, Double> update() {
        timers.start("update");
        timers.start("sample");
        SequenceBatch batch = experience.sampleSequences(config.batchSize(), config.batchLength(), rng);
        timers.stop("sample");
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (UpdateScope u = UpdateScope.open(manager); Autocast cast = Autocast.open(precision)) {
            NDManager m = u.manager();
            timers.start("to_ndarray");
            Map<String, NDArray> obs = spaces.observations(m, batch.observations());
            NDArray actions = spaces.modelActions(Tensors.toNDArray(m, batch.actions()), 2);
            NDArray rewards = Tensors.toNDArray(m, batch.rewards());
            NDArray isFirst = Tensors.toNDArray(m, batch.isFirst());
            NDArray isTerminal = Tensors.toNDArray(m, batch.isTerminal());
            NDArray mask = Tensors.toNDArray(m, batch.mask());
            timers.stop("to_ndarray");

            timers.start("model");
            RssmState start;
            // the world model's activations are dead once its step is taken: in a scope of their own
            // they are freed before imagination instead of when the update ends (libtorch would free
            // them with the graph; DJL's managers hold them until closed)
            try (UpdateScope phase = UpdateScope.open(m)) {
                Map<String, NDArray> lent = new LinkedHashMap<>();
                obs.forEach((k, v) -> lent.put(k, phase.borrow(v)));
                WorldModel.Loss loss;
                try (GradientScope tape = GradientScope.open()) {
                    loss = wm.worldModelLoss(ps, lent, phase.borrow(actions), phase.borrow(rewards),
                            phase.borrow(isFirst), phase.borrow(isTerminal), phase.borrow(mask));
                    tape.backward(loss.total());
                }
                wm.optimizer().step();
                // one transfer for all terms: each read waits for the device
                float[] terms = NDArrays.stack(new NDList(loss.terms().values())).stopGradient().toFloatArray();
                int i = 0;
                for (String k : loss.terms().keySet()) {
                    metrics.put("loss/" + k, (double) terms[i++]);
                }
                start = loss.posterior().stopGradient().flattenBatchAndTime().attach(m);
            }
            timers.stop("model");
            metrics.put("model/grad_norm", (double) wm.optimizer().lastGradientNorm());
            if (encoder != null) {
                timers.start("encoder");
                // the MAE learns from real frames only, not the black padding of short sequences
                metrics.putAll(encoder.update(ps, obs.get(Spaces.IMAGE), mask, rng));
                timers.stop("encoder");
            }
            if (wm.harmony() != null) {
                float[] s = wm.harmony().logScales().getArray().toFloatArray();
                for (int i = 0; i < s.length; i++) {
                    metrics.put("harmony/sigma_" + wm.harmonyTerms().get(i), Math.exp(s[i]));
                }
            }

            NDArray startCont = isTerminal.neg().add(1f).reshape(-1);
            metrics.putAll(ac.train(ps, wm, start, startCont, mask.reshape(-1),
                    new ActorCritic.Replayed(rewards, isFirst, isTerminal, mask), timers));
            updates++;
            if (config.videoEvery() > 0 && spaces.hasImage() && updates % config.videoEvery() == 0) {
                timers.start("video");
                writeVideo(obs, actions, isFirst);
                timers.stop("video");
            }
        }
        timers.stop("update");
        return metrics;
    }

    private void writeVideo(Map<String, NDArray> obs, NDArray actions, NDArray isFirst) {
        int rows = Math.min(VIDEO_ROWS, config.batchSize());
        int context = Math.min(VIDEO_CONTEXT, config.batchLength());
        try (NoGradient off = NoGradient.open()) {
            NDList pair = wm.openLoop(ps, obs, actions, isFirst, rows, context);
            long[] s = pair.get(0).getShape().getShape();
            Tensor video = OpenLoopVideo.frames(pair.get(0).toFloatArray(), pair.get(1).toFloatArray(), rows, (int) s[1],
                    (int) s[2], (int) s[3], (int) s[4]);
            context().metrics().video(VIDEO_TAG, video, OpenLoopVideo.FPS);
        } catch (RuntimeException e) {
            // a diagnostic must never stop training
            context().metrics().scalar("dreamer/video_failed", 1);
        }
    }

    private AgentContext context() {
        return context;
    }

    @Override
    public void save(Path directory) throws IOException {
        checkOpen();
        BlockCheckpoint.save(networks, directory, NETWORKS, NETWORKS_KIND);
        CheckpointFiles.write(directory.resolve(OPTIMIZER_FILE), os -> {
            DataOutputStream out = new DataOutputStream(os);
            wm.optimizer().saveState(out);
            ac.actorOptimizer().saveState(out);
            ac.criticOptimizer().saveState(out);
            if (encoder != null) {
                encoder.saveState(out);
            }
            out.flush();
        });
        Map<String, String> p = new LinkedHashMap<>();
        p.put("updates", Long.toString(updates));
        double[] rn = ac.returnNormalizer().state();
        p.put("returnNorm.low", Double.toString(rn[0]));
        p.put("returnNorm.high", Double.toString(rn[1]));
        p.put("returnNorm.updates", Long.toString((long) rn[2]));
        p.put("env", spec.id());
        p.put("sizes", sizes());
        if (wm.harmony() != null) {
            p.put(HARMONY_TERMS, String.join(",", wm.harmonyTerms()));
        }
        CheckpointFiles.writeProperties(directory.resolve(STATE_FILE), FORMAT, FORMAT_VERSION, p,
                "Dreamer agent state; networks in " + NETWORKS + ".params, optimizers in " + OPTIMIZER_FILE);
    }

    private String sizes() {
        return "deter=" + config.deter() + " stoch=" + config.stoch() + "x" + config.classes() + " units=" + config.units()
                + " layers=" + config.layers() + " cnn_depth=" + config.cnnDepth();
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        checkOpen();
        Path stateFile = directory.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !BlockCheckpoint.exists(directory, NETWORKS)) {
            throw new IncompatibleCheckpointException("no Dreamer checkpoint in " + directory
                    + " (another agent's, or an incomplete one)");
        }
        Properties p = CheckpointFiles.readProperties(stateFile, FORMAT, FORMAT_VERSION);
        checkHarmonyTerms(p);
        try (NoGradient off = NoGradient.open()) {
            // checks every shape before changing anything
            BlockCheckpoint.load(networks, directory, NETWORKS, NETWORKS_KIND);
        } catch (IncompatibleCheckpointException e) {
            throw new IncompatibleCheckpointException(e.getMessage() + " (checkpoint sizes: " + p.getProperty("sizes")
                    + "; this agent: " + sizes() + ")");
        }
        Path opt = directory.resolve(OPTIMIZER_FILE);
        if (Files.isRegularFile(opt)) {
            try (NoGradient off = NoGradient.open(); InputStream is = Files.newInputStream(opt);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
                wm.optimizer().loadState(in);
                ac.actorOptimizer().loadState(in);
                ac.criticOptimizer().loadState(in);
                if (encoder != null) {
                    encoder.loadState(in);
                }
            }
        }
        updates = Long.parseLong(p.getProperty("updates", "0"));
        ac.returnNormalizer().restore(new double[] {
            Double.parseDouble(p.getProperty("returnNorm.low", "0")),
            Double.parseDouble(p.getProperty("returnNorm.high", "0")),
            Double.parseDouble(p.getProperty("returnNorm.updates", "0"))});
        rng = ResumedRandom.after(seed, updates);
        policyStates.clear();
    }

    /**
     * A HarmonyDream checkpoint holds one learnable scale per balanced term. Those written before the
     * term set followed HarmonyDream's code (session 10: image, reward and a normalised KL; before:
     * also state and continue, and the KL undivided) carry no term list, and their scales mean other
     * things: refused, not migrated.
     */
    private void checkHarmonyTerms(Properties p) throws IncompatibleCheckpointException {
        if (wm.harmony() == null) {
            return;
        }
        String here = String.join(",", wm.harmonyTerms());
        String there = p.getProperty(HARMONY_TERMS);
        if (!here.equals(there)) {
            throw new IncompatibleCheckpointException("this checkpoint's loss_balance=harmony scales "
                    + (there == null ? "its terms as before session 10 (state and continue balanced too, the KL"
                            + " not divided by dyn_scale + rep_scale)" : "the terms " + there)
                    + "; this agent balances " + here + " as HarmonyDream's code does. Start a new run"
                    + " (or resume with the version that wrote it)");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Dreamer agent is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        policyStates.close();
        wm.optimizer().close();
        ac.actorOptimizer().close();
        ac.criticOptimizer().close();
        if (encoder != null) {
            encoder.close();
        }
        manager.close();
    }

    @Override
    public String toString() {
        return "DreamerAgent[" + spec.id() + ", " + sizes() + ", updates=" + updates + "]";
    }
}
