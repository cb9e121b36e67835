package io.worldgate.plugin.tdmpc2;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.agent.CheckpointFiles;
import io.worldgate.runtime.agent.PerEnvState;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.runtime.nn.Autocast;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.Precision;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.EmaTarget;
import io.worldgate.runtime.optim.GradientClipping;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.runtime.plan.Plan;
import io.worldgate.runtime.plan.Planner;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Scalars;
import io.worldgate.runtime.tensor.Tensors;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import io.worldgate.runtime.agent.ResumedRandom;
import java.util.SplittableRandom;

/**
 * The TD-MPC2 agent: acts by planning in the latent space of its {@link WorldModel} (or with the
 * policy prior alone, {@code mpc=false}) and trains model, Q heads and policy on replayed
 * sequences of {@code horizon + 1} steps inside one episode.
 *
 * <p><b>Acting.</b> Each call encodes the observations; with a {@link Planner}, the search is
 * warm-started from the plan kept for each act mode and environment ({@link PerEnvState}), cold
 * where {@code isFirst}. EXPLORE samples (the planner's exploration, or the prior's sample), EVAL
 * takes the planner's mean (or the prior's {@code tanh(μ)}).
 *
 * <p><b>Training.</b> One update ({@link TdMpc2Losses} has the formulas): TD targets from the EMA
 * target heads at the encoded next observations; the model loss over a latent rollout of the
 * replayed actions, one Adam step (the encoder at {@code enc_lr_scale} times the learning rate)
 * after clipping the model's global gradient norm; then the policy's step on the detached rollout
 * latents, and the EMA of the target heads. The host's {@code --train-ratio} is updates per env
 * step; TD-MPC2 does 1.
 *
 * <p><b>Checkpoints.</b> Every network (with the target heads) as one {@link BlockCheckpoint},
 * the three optimizers' moments and step counts, and the Q scale and update count in a properties
 * file written last.
 */
final class TdMpc2Agent implements Agent {
    static final String NETWORKS = "tdmpc2-networks";
    /**
     * Version 2: the Q heads and their targets are one stacked ensemble each, and Mish takes the
     * natural logarithm. Version 1 checkpoints (five separate Q networks, DJL's log2 Mish) are
     * refused with {@link #OLD_LAYOUT}: their weights belong to a different function.
     */
    static final String NETWORKS_KIND = "tdmpc2/networks/2";
    static final String OLD_NETWORKS_KIND = "tdmpc2/networks/1";
    static final String OLD_LAYOUT = "was written by an earlier TD-MPC2 plugin (networks layout 1: separate Q networks and a"
            + " log2-based Mish); this version (layout 2) cannot resume it: start a new run";
    static final String ENCODER_NETWORK = "tdmpc2-image-encoder";
    static final String ENCODER_NETWORK_KIND = "tdmpc2/image-encoder/1";
    static final String STATE_FILE = "tdmpc2.properties";
    static final String OPTIMIZER_FILE = "tdmpc2-optimizers.bin";
    private static final String FORMAT = "worldgate-tdmpc2";
    private static final int FORMAT_VERSION = 1;
    /** Seed-pretraining updates taken per training on top of what it asks (see {@link #seedUpdatesOwed}). */
    static final int PRETRAINING_CHUNK = 50;

    private final EnvSpec spec;
    private final TdMpc2Config config;
    private final Experience experience;
    private final NDManager manager;
    private final ParameterStore ps;
    private final Spaces spaces;
    private final WorldModel wm;
    private final Planner planner;
    private final PerEnvState<Plan> plans;
    private final float gamma;
    private final QScale qScale;
    private final long seed;
    private final List<Parameter> modelParams = new ArrayList<>();
    private final EmaTarget targets;
    /** Another plugin's image encoder in its encoder_mode; null with the built-in encoders. */
    private final BoundEncoder encoder;
    /** The precision of the networks' products, as this device can run it. */
    private final Precision precision;
    private Adam encoderOpt;
    private Adam modelOpt;
    private Adam piOpt;
    private SplittableRandom rng;
    private long updates;
    /** Made for a fresh run with seed_pretraining, not yet trained: its first training sets {@link #seedUpdatesOwed}. */
    private boolean seedPretrainingDue;
    /**
     * Seed-pretraining updates still owed. TD-MPC2 takes one update per seed step once seeding ends;
     * they are paid {@link #PRETRAINING_CHUNK} at a time on top of what each training asks, so that a
     * stop, a checkpoint and the run's metrics come between chunks, not after an hour of updates on
     * pixels. Kept in checkpoints: a run resumed mid-way goes on paying.
     */
    private long seedUpdatesOwed;
    private boolean closed;

    /**
     * @param planner the planner {@code act} uses, or null to act with the policy prior
     */
    TdMpc2Agent(EnvSpec spec, TdMpc2Config config, AgentContext context, Planner planner) {
        this(spec, config, context, planner, null);
    }

    /**
     * @param planner the planner {@code act} uses, or null to act with the policy prior
     * @param service another plugin's image encoder ({@code encoder=NAME}), or null for the built-in CNN
     */
    TdMpc2Agent(EnvSpec spec, TdMpc2Config config, AgentContext context, Planner planner,
            io.worldgate.runtime.nn.ImageEncoder service) {
        this.spec = spec;
        this.config = config;
        this.experience = context.experience();
        // a run's first observations are stored before its agent is made, one per environment
        this.seedPretrainingDue = config.seedPretraining() && experience.numSteps() <= spec.numEnvs();
        this.seed = context.seed();
        this.planner = planner;
        boolean image = switch (config.obs()) {
            case "image" -> true;
            case "state" -> false;
            // naming an image encoder asks for the image
            default -> !spec.observationSpace().has(Spaces.STATE) || service != null;
        };
        this.spaces = new Spaces(spec, List.of(image ? Spaces.IMAGE : Spaces.STATE), TdMpc2AgentFactory.NAME);
        if (image && service != null) {
            BoundEncoder.requireImageShape(service, spaces.imageHeight(), spaces.imageWidth(), spaces.imageChannels(),
                    spec.id());
        } else if (image) {
            ImageEncoder.convFeatures(config.channels(), spaces.imageHeight(), spaces.imageWidth());
        }
        this.gamma = config.discountFor(spec.maxEpisodeSteps());
        this.qScale = new QScale(config.tau());
        Device device = Devices.choose(context.device());
        this.precision = config.precision().on(device);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        this.manager = NDManager.newBaseManager(device);
        this.ps = new ParameterStore(manager, false);
        this.plans = new PerEnvState<>(manager);
        this.rng = new SplittableRandom(seed);
        // initialisation writes parameters in place, which libtorch refuses on recorded leaves
        try (NoGradient off = NoGradient.open()) {
            this.encoder = image && service != null ? BoundEncoder.bind(service, config.encoderSettings(), manager) : null;
            this.wm = new WorldModel(config, spaces, image, encoder);
            wm.initialize(manager, rng.split());
            targets = EmaTarget.of(wm.qEnsemble(), wm.targetEnsemble(), config.tau(), 1);
            targets.copyNow();
            List<Parameter> enc = Parameters.trainable(wm.encoderBlock());
            List<Parameter> rest = wm.nonEncoderParameters();
            modelParams.addAll(enc);
            modelParams.addAll(rest);
            encoderOpt = Adam.builder().learningRate(config.lr() * config.encLrScale()).build(enc);
            modelOpt = Adam.builder().learningRate(config.lr()).build(rest);
            piOpt = Adam.builder().learningRate(config.lr()).epsilon(1e-5f).clipGlobalNorm(config.gradClip())
                    .build(wm.piBlock());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    TdMpc2Config config() {
        return config;
    }

    long updates() {
        return updates;
    }

    /** The precision the networks' products run in, as this device can run it. */
    Precision precision() {
        return precision;
    }

    WorldModel worldModel() {
        return wm;
    }

    float discount() {
        return gamma;
    }

    double qScaleValue() {
        return qScale.value();
    }

    /** Adam's step counts of the encoder, the rest of the model, and the policy. */
    long[] optimizerSteps() {
        return new long[] {encoderOpt.steps(), modelOpt.steps(), piOpt.steps()};
    }

    /** Trainable parameters: encoder, dynamics, reward, Q heads and policy (not the EMA targets). */
    long parameterCount() {
        long n = 0;
        List<Parameter> all = new ArrayList<>(modelParams);
        all.addAll(Parameters.trainable(wm.piBlock()));
        for (Parameter p : all) {
            n += p.getArray().getShape().size();
        }
        return n;
    }

    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        checkOpen();
        // acting changes no parameter: under bf16 each weight is cast once per act, not per product
        try (Autocast cast = Autocast.openForInference(precision)) {
            return actAs(observations, mode);
        }
    }

    private Tensor actAs(StepBatch observations, ActMode mode) {
        int n = observations.size();
        boolean explore = mode == ActMode.EXPLORE;
        if (explore && updates == 0) {
            // Before its first update the model knows nothing: like the paper's seeding steps, act
            // uniformly at random rather than plan with an untrained model (which costs the most).
            try (UpdateScope u = UpdateScope.open(manager)) {
                long actions = spec.actionSpace().tensorSpec().numElements();
                return spaces.hostActions(u.manager().randomUniform(-1f, 1f, new Shape(n, actions)));
            }
        }
        if (planner == null || !config.mpc()) {
            try (UpdateScope u = UpdateScope.open(manager); NoGradient off = NoGradient.open()) {
                NDArray z = wm.encode(ps, spaces.observations(u.manager(), observations.observations()), false);
                PolicyPrior.Sample s = wm.pi(ps, z);
                return spaces.hostActions(explore ? s.action() : s.mean());
            }
        }
        Plan old = plans.get(mode, n);
        boolean[] fresh = plans.resets(mode, observations.isFirst());
        try (PerEnvState.Next<Plan> next = plans.next(mode, n);
                UpdateScope u = UpdateScope.open(manager); NoGradient off = NoGradient.open()) {
            NDArray z = wm.encode(ps, spaces.observations(u.manager(), observations.observations()), false);
            Plan previous = old == null ? null
                    : new Plan(u.borrow(old.action()), u.borrow(old.mean()), u.borrow(old.std()));
            PlanningModel model = new PlanningModel(wm, ps, gamma, rng);
            Plan plan = planner.plan(z, model, model, previous, previous == null ? null : fresh, explore);
            Tensor out = spaces.hostActions(plan.action());
            plan.action().attach(next.manager());
            plan.mean().attach(next.manager());
            plan.std().attach(next.manager());
            next.commit(plan);
            return out;
        }
    }

    @Override
    public Map<String, Double> train(int count) {
        checkOpen();
        if (count <= 0 || experience.numSteps() == 0) {
            return Map.of();
        }
        if (seedPretrainingDue) {
            // TD-MPC2 takes as many updates as seed steps once seeding ends, then one per step
            seedPretrainingDue = false;
            seedUpdatesOwed = Math.max(0, experience.numSteps() - count);
        }
        int extra = (int) Math.min(seedUpdatesOwed, PRETRAINING_CHUNK);
        int n = count + extra;
        long before = updates;
        Map<String, Double> metrics = Map.of();
        Map<String, Double> warmup = Map.of();
        try (NoGradient off = NoGradient.open()) {
            if (encoder != null && updates == 0 && encoder.warmingUp()) {
                warmup = warmUpEncoder();
            }
            // a warm-up owed holds back only the first updates of a fresh agent: one loaded from a
            // checkpoint that trained owes none (the count is not in the checkpoint)
            for (int i = 0; i < n && (encoder == null || updates > 0 || !encoder.warmingUp()); i++) {
                SequenceBatch batch;
                try {
                    batch = experience.sampleSequences(SampleRequest.of(config.batchSize(), config.horizon() + 1)
                            .withSlicing(Slicing.WITHIN_EPISODE), rng);
                } catch (IllegalStateException e) {
                    // no stored episode is horizon + 1 steps long yet
                    break;
                }
                metrics = update(batch);
            }
        }
        seedUpdatesOwed -= Math.min(extra, Math.max(0, updates - before - count));
        Map<String, Double> out = new LinkedHashMap<>(metrics);
        if (extra > 0) {
            out.put("train/seed_updates_owed", (double) seedUpdatesOwed);
        }
        if (warmup.containsKey("encoder/warmup_updates")) {
            out.put("encoder/warmup_updates", warmup.get("encoder/warmup_updates"));
        }
        out.put("train/updates", (double) updates);
        return out;
    }

    /**
     * The online encoder's {@code encoder_warmup}: its own updates alone, each on a batch drawn as
     * for an update, before the agent's first (a resumed agent has trained: it takes none). It stops
     * early while no stored episode is long enough, and goes on at the next call.
     */
    private Map<String, Double> warmUpEncoder() {
        Map<String, Double> metrics = Map.of();
        while (encoder.warmingUp()) {
            SequenceBatch batch;
            try {
                batch = experience.sampleSequences(SampleRequest.of(config.batchSize(), config.horizon() + 1)
                        .withSlicing(Slicing.WITHIN_EPISODE), rng);
            } catch (IllegalStateException e) {
                break; // no stored episode is horizon + 1 steps long yet
            }
            try (UpdateScope u = UpdateScope.open(manager); Autocast cast = Autocast.open(precision)) {
                NDArray images = spaces.observations(u.manager(), batch.observations()).get(Spaces.IMAGE);
                metrics = encoder.warmUp(ps, images, null, rng);
            }
        }
        return metrics;
    }

    /** One model, policy and target update on {@code batch} ({@code [B, H + 1]} steps of one episode each). */
    Map<String, Double> update(SequenceBatch batch) {
        int h = config.horizon();
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (UpdateScope u = UpdateScope.open(manager); Autocast cast = Autocast.open(precision)) {
            NDManager m = u.manager();
            Map<String, NDArray> obs = spaces.observations(m, batch.observations());
            NDArray actions = spaces.modelActions(Tensors.toNDArray(m, batch.actions()), 2).get(":, :{}", h);
            NDArray rewards = Tensors.toNDArray(m, batch.rewards()).toType(DataType.FLOAT32, false)
                    .get(":, 1:");
            NDArray cont = Tensors.toNDArray(m, batch.isTerminal()).toType(DataType.FLOAT32, false)
                    .get(":, 1:").neg().add(1f);
            Map<String, NDArray> first = new LinkedHashMap<>();
            Map<String, NDArray> later = new LinkedHashMap<>();
            obs.forEach((k, v) -> {
                first.put(k, v.get(":, 0"));
                later.put(k, v.get(":, 1:"));
            });

            NDArray nextZ;
            NDArray td;
            try (NoGradient off = NoGradient.open()) {
                nextZ = wm.encode(ps, later, true);
                PolicyPrior.Sample next = wm.pi(ps, nextZ);
                NDArray q = wm.qValues(ps, nextZ, next.action(), TdMpc2Losses.drawTwo(config.numQ(), rng), false, true);
                td = TdMpc2Losses.tdTarget(rewards, cont, gamma, q, new int[] {0, 1});
            }

            NDArray latents;
            NDArray consistency;
            NDArray rewardLoss;
            NDArray valueLoss;
            NDArray total;
            try (GradientScope tape = GradientScope.open()) {
                NDArray z = wm.encode(ps, first, true);
                NDList zs = new NDList(h + 1);
                zs.add(z);
                for (int t = 0; t < h; t++) {
                    z = wm.next(ps, z, actions.get(":, {}", t), true);
                    zs.add(z);
                }
                latents = NDArrays.stack(zs, 1);
                NDArray now = latents.get(":, :{}", h);
                consistency = TdMpc2Losses.consistency(latents.get(":, 1:"), nextZ, config.rho());
                rewardLoss = TdMpc2Losses.reward(wm.rewardLogits(ps, now, actions, true), rewards, wm.bins(), config.rho());
                valueLoss = TdMpc2Losses.value(wm.qLogits(ps, now, actions, true, false), td, wm.bins(), config.rho());
                total = Scalars.mul(consistency, config.consistencyCoef())
                        .add(Scalars.mul(rewardLoss, config.rewardCoef()))
                        .add(Scalars.mul(valueLoss, config.valueCoef()));
                tape.backward(total);
            }
            float gradNorm = GradientClipping.clipByGlobalNorm(modelParams, config.gradClip());
            encoderOpt.step();
            modelOpt.step();
            if (encoder != null) {
                metrics.putAll(encoder.update(ps, obs.get(Spaces.IMAGE), rng));
            }

            metrics.put("loss/consistency", (double) consistency.getFloat());
            metrics.put("loss/reward", (double) rewardLoss.getFloat());
            metrics.put("loss/value", (double) valueLoss.getFloat());
            metrics.put("loss/total", (double) total.getFloat());
            metrics.put("model/grad_norm", (double) gradNorm);
            metrics.put("value/td_target_mean", (double) td.mean().getFloat());
            metrics.putAll(updatePolicy(latents.stopGradient()));
            targets.update();
            updates++;
        }
        return metrics;
    }

    /** The policy's step on rollout latents {@code [B, H + 1, Z]}; the Q heads are held fixed. */
    private Map<String, Double> updatePolicy(NDArray latents) {
        List<Parameter> qParams = wm.qParameters();
        qParams.forEach(p -> p.freeze(true));
        NDArray loss;
        PolicyPrior.Sample s;
        try (GradientScope tape = GradientScope.open()) {
            s = wm.pi(ps, latents);
            NDArray q = wm.qValues(ps, latents, s.action(), TdMpc2Losses.drawTwo(config.numQ(), rng), true, false)
                    .mean(new int[] {0});
            qScale.update(q.get(":, 0").stopGradient().toFloatArray());
            loss = TdMpc2Losses.policy(q, s.scaledEntropy(), config.entropyCoef(), (float) qScale.value(), config.rho());
            tape.backward(loss);
        } finally {
            qParams.forEach(p -> p.freeze(false));
        }
        piOpt.step();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("pi/loss", (double) loss.getFloat());
        metrics.put("pi/grad_norm", (double) piOpt.lastGradientNorm());
        metrics.put("pi/scaled_entropy", (double) s.scaledEntropy().mean().getFloat());
        metrics.put("pi/log_std", (double) s.logStd().mean().getFloat());
        metrics.put("pi/scale", qScale.value());
        return metrics;
    }

    @Override
    public void save(Path directory) throws IOException {
        checkOpen();
        BlockCheckpoint.save(wm, directory, NETWORKS, NETWORKS_KIND);
        if (encoder != null && encoder.network() != null) {
            // a fine-tuned or online encoder is the agent's own (a file of its own keeps the networks' names)
            BlockCheckpoint.save(encoder.network(), directory, ENCODER_NETWORK, ENCODER_NETWORK_KIND);
        }
        CheckpointFiles.write(directory.resolve(OPTIMIZER_FILE), os -> {
            DataOutputStream out = new DataOutputStream(os);
            encoderOpt.saveState(out);
            modelOpt.saveState(out);
            piOpt.saveState(out);
            if (encoder != null) {
                encoder.saveState(out);
            }
            out.flush();
        });
        Map<String, String> p = new LinkedHashMap<>();
        p.put("updates", Long.toString(updates));
        p.put("seedPretrainingDue", Boolean.toString(seedPretrainingDue));
        p.put("seedUpdatesOwed", Long.toString(seedUpdatesOwed));
        p.put("qScale", Double.toString(qScale.value()));
        p.put("env", spec.id());
        p.put("sizes", config.sizes());
        CheckpointFiles.writeProperties(directory.resolve(STATE_FILE), FORMAT, FORMAT_VERSION, p,
                "TD-MPC2 agent state; networks in " + NETWORKS + ".params, optimizers in " + OPTIMIZER_FILE);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        checkOpen();
        Path stateFile = directory.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !BlockCheckpoint.exists(directory, NETWORKS)) {
            throw new IncompatibleCheckpointException("no TD-MPC2 checkpoint in " + directory
                    + " (another agent's, or an incomplete one)");
        }
        Properties p = CheckpointFiles.readProperties(stateFile, FORMAT, FORMAT_VERSION);
        if (OLD_NETWORKS_KIND.equals(networksKind(directory))) {
            throw new IncompatibleCheckpointException("the TD-MPC2 checkpoint in " + directory + " " + OLD_LAYOUT);
        }
        boolean ownEncoder = encoder != null && encoder.network() != null;
        if (ownEncoder && !BlockCheckpoint.exists(directory, ENCODER_NETWORK)) {
            throw new IncompatibleCheckpointException("the checkpoint in " + directory + " has no trained copy of the image"
                    + " encoder (saved with another encoder_mode than " + encoder.mode().key() + ")");
        }
        try (NoGradient off = NoGradient.open()) {
            BlockCheckpoint.load(wm, directory, NETWORKS, NETWORKS_KIND);
            if (ownEncoder) {
                BlockCheckpoint.load(encoder.network(), directory, ENCODER_NETWORK, ENCODER_NETWORK_KIND);
            }
        } catch (IncompatibleCheckpointException e) {
            throw new IncompatibleCheckpointException(e.getMessage() + " (checkpoint sizes: " + p.getProperty("sizes")
                    + "; this agent: " + config.sizes() + ")");
        }
        Path opt = directory.resolve(OPTIMIZER_FILE);
        if (Files.isRegularFile(opt)) {
            try (NoGradient off = NoGradient.open(); InputStream is = Files.newInputStream(opt);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
                encoderOpt.loadState(in);
                modelOpt.loadState(in);
                piOpt.loadState(in);
                if (encoder != null) {
                    encoder.loadState(in);
                }
            }
        }
        updates = Long.parseLong(p.getProperty("updates", "0"));
        // a checkpoint of the prefill (before any training) still owes the whole pretraining
        // (unless this agent's settings turn the pretraining off)
        seedPretrainingDue = config.seedPretraining() && Boolean.parseBoolean(p.getProperty("seedPretrainingDue", "false"));
        seedUpdatesOwed = config.seedPretraining() ? Long.parseLong(p.getProperty("seedUpdatesOwed", "0")) : 0;
        qScale.restore(Double.parseDouble(p.getProperty("qScale", "1")));
        rng = ResumedRandom.after(seed, updates);
        plans.clear();
    }

    /** The {@code kind} in the header of the networks' checkpoint in {@code directory}. */
    private static String networksKind(Path directory) throws IOException {
        Properties header = new Properties();
        try (java.io.Reader r = Files.newBufferedReader(BlockCheckpoint.headerFile(directory, NETWORKS))) {
            header.load(r);
        }
        return header.getProperty("kind");
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the TD-MPC2 agent is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        plans.close();
        encoderOpt.close();
        modelOpt.close();
        piOpt.close();
        if (encoder != null) {
            encoder.close();
        }
        manager.close();
    }

    @Override
    public String toString() {
        return "TdMpc2Agent[" + spec.id() + ", " + config.sizes() + ", updates=" + updates + "]";
    }
}
