package io.worldgate.plugin.worldmodels;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.agent.CheckpointFiles;
import io.worldgate.runtime.agent.ResumedRandom;
import io.worldgate.runtime.evolve.CmaEs;
import io.worldgate.runtime.evolve.CmaEsSettings;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.space.Spaces;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The World Models agent (Ha and Schmidhuber, NeurIPS 2018), driving its own generations: each
 * {@code train(1)} is one step of the paper's procedure.
 * <ol>
 *   <li><b>collect</b>: {@code random_episodes} episodes of a random policy (in later rounds of the
 *       iterative procedure, of the evolved controller), played by the host's population evaluator,
 *       so they land in the run's experience; then V trains on frames sampled from that experience,
 *       every stored episode is encoded, and M trains on the encoded sequences;</li>
 *   <li><b>evolve</b>: one CMA-ES generation of C's weights: {@code population} candidates, each
 *       scored by the mean return of {@code rollouts} episodes, in the real environment (the
 *       evaluator plays all candidates' episodes on the run's environments) or in M's dream (one
 *       batched program, {@link Dream}), after which the CMA-ES mean plays {@code real_episodes}
 *       real episodes so the run sees how the dream-trained controller does for real.</li>
 * </ol>
 * With {@code iterations > 1}, after {@code generations_per_iteration} generations the next round
 * collects with the evolved controller and trains V and M again on all that is stored.
 *
 * <p>{@code act} plays the CMA-ES mean (uniformly random actions before V and M exist). In real
 * episodes ({@link ControllerPolicies}) each frame goes through V, and the LSTM state is kept per
 * environment. V's and M's training steps are {@link ModelTraining}'s.
 *
 * <p>Checkpoints hold V and M, their optimisers, the CMA-ES state (mid-evolution), the dream's
 * starts, the phase and the counters; a loaded agent continues the same search, generation for
 * generation (each call draws from a stream derived from the seed and the call count).
 */
final class WorldModelsAgent implements Agent {
    static final String MODELS = "worldmodels-vm";
    static final String MODELS_KIND = "worldmodels/vae+mdnrnn/1";
    static final String STATE_FILE = "worldmodels.properties";
    static final String OPTIMIZER_FILE = "worldmodels-optimizers.bin";
    static final String CMAES_FILE = "worldmodels-cmaes.bin";
    static final String STARTS_FILE = "worldmodels-dream-starts.bin";
    private static final String FORMAT = "worldgate-worldmodels";
    private static final int FORMAT_VERSION = 1;
    private static final String CONTROLLER_INPUT = "controllerInput";
    private static final String CONTROLLER_THRESHOLDS = "controllerThresholds";

    /** Where the procedure stands. */
    enum Phase { COLLECT, EVOLVE }

    private final EnvSpec spec;
    private final WorldModelsConfig config;
    private final Experience experience;
    private final PopulationEvaluator evaluator;
    private final long seed;
    private final Spaces spaces;
    private final NDManager manager;
    private final ParameterStore ps;
    private final BlockGroup models = new BlockGroup();
    private final Vae vae;
    private final MdnRnn rnn;
    private final ModelTraining training;
    private Controller controller;
    private ControllerPolicies policies;
    private final Map<ActMode, ControllerPolicies.ControllerPolicy> actors = new EnumMap<>(ActMode.class);
    private CmaEs cmaes;
    private DreamStarts starts;
    private Phase phase = Phase.COLLECT;
    private int iteration;
    private long generations;
    private long generationsThisIteration;
    private long calls;
    private SplittableRandom rng;
    private boolean closed;

    WorldModelsAgent(EnvSpec spec, WorldModelsConfig config, AgentContext context) {
        this.spec = spec;
        this.config = config;
        this.experience = context.experience();
        this.evaluator = context.populationEvaluator().orElse(null);
        this.seed = context.seed();
        this.spaces = new Spaces(spec, List.of(Spaces.IMAGE), WorldModelsAgentFactory.NAME);
        if (spaces.imageHeight() != Vae.SIZE || spaces.imageWidth() != Vae.SIZE || spaces.imageChannels() != 3) {
            throw new AgentException("worldmodels' VAE reads 64x64 RGB frames; " + spec.id() + " has "
                    + spaces.imageHeight() + "x" + spaces.imageWidth() + "x" + spaces.imageChannels());
        }
        if (config.carControls() && !carControls(spec.actionSpace())) {
            throw new AgentException("worldmodels: action_map=carracing needs CarRacing's actions (steer in [-1, 1], gas and"
                    + " brake in [0, 1]); " + spec.id() + " has " + spec.actionSpace());
        }
        if (config.doomThresholds() && !(spec.actionSpace() instanceof DiscreteSpace d && d.n() == Controller.THRESHOLD_ACTIONS)) {
            throw new AgentException("worldmodels: action_map=doom needs 3 discrete actions (stay, left, right); " + spec.id()
                    + " has " + spec.actionSpace());
        }
        if (config.inDream() && !config.predictDone()) {
            throw new AgentException("worldmodels: train_in=dream needs predict_done=true (a dream ends where M predicts it)");
        }
        this.rng = ResumedRandom.after(seed, 0);
        Device device = Devices.choose(context.device());
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        this.manager = NDManager.newBaseManager(device);
        this.ps = new ParameterStore(manager, false);
        try (NoGradient off = NoGradient.open()) {
            vae = models.add("vae", new Vae(config.zSize()));
            rnn = models.add("rnn", new MdnRnn(config.zSize(), spaces.actionSize(), config.rnnSize(), config.mixtures(),
                    config.predictDone()));
            vae.initializeParts(manager);
            rnn.initializeParts(manager);
            training = new ModelTraining(config, spaces, experience, context.metrics(), manager, ps, vae, rnn);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.controller = controller(config.controllerReadsCell(), config.doomThresholds());
        this.cmaes = newSearch();
        this.policies = policies(controller);
    }

    /** C of this agent's sizes, reading {@code [z, c, h]} or {@code [z, h]}, its output thresholded or not. */
    private Controller controller(boolean readsCell, boolean thresholds) {
        return new Controller(config.zSize() + (readsCell ? 2 : 1) * config.rnnSize(), config.controllerHidden(),
                spaces.actionSize(), spaces.discrete(), config.carControls(), readsCell, thresholds);
    }

    private ControllerPolicies policies(Controller c) {
        return new ControllerPolicies(config, spaces, manager, ps, vae, rnn, c, () -> rng);
    }

    /** Whether {@code space} is CarRacing's: steer in [-1, 1], gas and brake in [0, 1]. */
    private static boolean carControls(Space space) {
        if (!(space instanceof BoxSpace box) || box.numElements() != Controller.CAR_ACTIONS) {
            return false;
        }
        return box.low(0) == -1 && box.high(0) == 1 && box.low(1) == 0 && box.high(1) == 1 && box.low(2) == 0 && box.high(2) == 1;
    }

    private CmaEs newSearch() {
        return new CmaEs(CmaEsSettings.of(new double[controller.dimension()], config.sigma0(), seed)
                .withPopulationSize(config.population()));
    }

    Phase phase() {
        return phase;
    }

    long generations() {
        return generations;
    }

    CmaEs search() {
        return cmaes;
    }

    Controller controller() {
        return controller;
    }

    DreamStarts starts() {
        return starts;
    }

    /** V and M exist once the first round's collection has trained them (a later round retrains them). */
    private boolean modelsTrained() {
        return phase == Phase.EVOLVE || iteration > 0;
    }

    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        checkOpen();
        if (!modelsTrained()) {
            return RandomPolicy.actions(spec.actionSpace(), observations.size(), rng);
        }
        return actors.computeIfAbsent(mode, m -> policies.of(cmaes.mean())).act(observations);
    }

    @Override
    public Map<String, Double> train(int count) {
        checkOpen();
        Map<String, Double> last = Map.of();
        for (int i = 0; i < count; i++) {
            rng = ResumedRandom.after(seed, calls);
            last = phase == Phase.COLLECT ? collectAndTrainModels() : generation();
            calls++;
        }
        return last;
    }

    private PopulationEvaluator evaluator() {
        if (evaluator == null) {
            throw new AgentException("worldmodels trains only in a training run, whose host lends a population evaluator");
        }
        return evaluator;
    }

    /** Collects a round of episodes through the host, then trains V, encodes, trains M. */
    private Map<String, Double> collectAndTrainModels() {
        Map<String, Double> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        PopulationScores scores;
        if (iteration == 0) {
            scores = evaluator().evaluate(List.of(new RandomPolicy(spec.actionSpace(), config.randomHold(), rng.split())), config.randomEpisodes());
        } else {
            try (ControllerPolicies.ControllerPolicy evolved = policies.of(cmaes.mean())) {
                scores = evaluator().evaluate(List.of(evolved), config.randomEpisodes());
            }
        }
        out.put("collect/return", scores.meanReturn(0));
        out.put("collect/steps", (double) scores.steps());
        out.put("collect/seconds", (System.nanoTime() - t0) / 1e9);
        out.putAll(training.trainVae(rng));
        policies.forgetBatch();
        EncodedEpisodes encoded = training.encodeEpisodes();
        if (encoded.size() > 0) {
            starts = DreamStarts.firstSteps(encoded);
        }
        out.putAll(training.trainRnn(encoded, rng));
        closeActors();
        phase = Phase.EVOLVE;
        generationsThisIteration = 0;
        out.put("procedure/iteration", (double) iteration);
        return out;
    }


    /** One CMA-ES generation of C, in the real environment or in M's dream. */
    private Map<String, Double> generation() {
        Map<String, Double> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        double[][] candidates = cmaes.ask();
        double[] returns;
        if (config.inDream()) {
            long[] seeds = new long[config.rollouts()];
            for (int r = 0; r < seeds.length; r++) {
                seeds[r] = rng.nextLong();
            }
            double[][] each = new Dream(rnn, ps, controller, config.temperature(), config.dreamMaxSteps(), config.dreamEnd())
                    .returns(manager, candidates, seeds, starts);
            returns = Arrays.stream(each).mapToDouble(r -> Arrays.stream(r).average().orElseThrow()).toArray();
        } else {
            List<ControllerPolicies.ControllerPolicy> each = new ArrayList<>();
            try {
                for (double[] c : candidates) {
                    each.add(policies.of(c));
                }
                PopulationScores scores = evaluator().evaluate(each, config.rollouts());
                returns = scores.meanReturns();
                out.put("es/steps", (double) scores.steps());
            } finally {
                each.forEach(ControllerPolicies.ControllerPolicy::close);
            }
        }
        double[] fitness = Arrays.stream(returns).map(r -> -r).toArray();
        cmaes.tell(candidates, fitness);
        out.put("es/seconds", (System.nanoTime() - t0) / 1e9);
        closeActors();
        if (config.inDream()) {
            try (ControllerPolicies.ControllerPolicy mean = policies.of(cmaes.mean())) {
                PopulationScores real = evaluator().evaluate(List.of(mean), config.realEpisodes());
                out.put("es/real_mean_return", real.meanReturn(0));
                out.put("es/steps", (double) real.steps());
            }
        }
        generations++;
        generationsThisIteration++;
        out.put("es/mean_return", Arrays.stream(returns).average().orElseThrow());
        out.put("es/best_return", Arrays.stream(returns).max().orElseThrow());
        out.put("es/sigma", cmaes.sigma());
        out.put("es/generation", (double) generations);
        if (iteration + 1 < config.iterations() && generationsThisIteration >= config.generationsPerIteration()) {
            iteration++;
            phase = Phase.COLLECT;
        }
        return out;
    }


    private void closeActors() {
        actors.values().forEach(ControllerPolicies.ControllerPolicy::close);
        actors.clear();
    }

    @Override
    public void save(Path directory) throws IOException {
        checkOpen();
        BlockCheckpoint.save(models, directory, MODELS, MODELS_KIND);
        CheckpointFiles.write(directory.resolve(OPTIMIZER_FILE), os -> {
            DataOutputStream out = new DataOutputStream(os);
            training.saveOptimizers(out);
            out.flush();
        });
        cmaes.save(directory.resolve(CMAES_FILE));
        if (starts != null) {
            CheckpointFiles.write(directory.resolve(STARTS_FILE), os -> {
                DataOutputStream out = new DataOutputStream(os);
                starts.save(out);
                out.flush();
            });
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("phase", phase.name());
        p.put("iteration", Integer.toString(iteration));
        p.put("generations", Long.toString(generations));
        p.put("generationsThisIteration", Long.toString(generationsThisIteration));
        p.put("calls", Long.toString(calls));
        p.put("actionSpace", spec.actionSpace().toString());
        p.put("sizes", config.sizes());
        p.put(CONTROLLER_INPUT, controller.readsCell() ? WorldModelsConfig.ZCH : WorldModelsConfig.ZH);
        p.put(CONTROLLER_THRESHOLDS, Boolean.toString(controller.thresholds()));
        CheckpointFiles.writeProperties(directory.resolve(STATE_FILE), FORMAT, FORMAT_VERSION, p,
                "World Models agent state; V and M in " + MODELS + ".params, CMA-ES in " + CMAES_FILE);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        checkOpen();
        Path stateFile = directory.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile) || !BlockCheckpoint.exists(directory, MODELS)
                || !Files.isRegularFile(directory.resolve(CMAES_FILE))) {
            throw new IncompatibleCheckpointException("no World Models checkpoint in " + directory
                    + " (another agent's, or an incomplete one)");
        }
        Properties p = CheckpointFiles.readProperties(stateFile, FORMAT, FORMAT_VERSION);
        if (!config.sizes().equals(p.getProperty("sizes"))
                || !spec.actionSpace().toString().equals(p.getProperty("actionSpace"))) {
            throw new IncompatibleCheckpointException("checkpoint of " + p.getProperty("sizes") + " for action space "
                    + p.getProperty("actionSpace") + "; this agent has " + config.sizes() + " and " + spec.actionSpace());
        }
        Controller restored = restoredController(p);
        CmaEs search = CmaEs.load(directory.resolve(CMAES_FILE));
        if (search.dimension() != restored.dimension()) {
            throw new IncompatibleCheckpointException("checkpoint's controller has " + search.dimension()
                    + " weights, this agent's " + restored.dimension());
        }
        try (NoGradient off = NoGradient.open()) {
            BlockCheckpoint.load(models, directory, MODELS, MODELS_KIND);
            Path opt = directory.resolve(OPTIMIZER_FILE);
            if (Files.isRegularFile(opt)) {
                try (InputStream is = Files.newInputStream(opt);
                        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
                    training.loadOptimizers(in);
                }
            }
        }
        Path startsFile = directory.resolve(STARTS_FILE);
        if (Files.isRegularFile(startsFile)) {
            try (InputStream is = Files.newInputStream(startsFile);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
                starts = DreamStarts.load(in, config.zSize());
            }
        }
        try {
            phase = Phase.valueOf(p.getProperty("phase"));
            iteration = Integer.parseInt(p.getProperty("iteration"));
            generations = Long.parseLong(p.getProperty("generations"));
            generationsThisIteration = Long.parseLong(p.getProperty("generationsThisIteration"));
            calls = Long.parseLong(p.getProperty("calls"));
        } catch (RuntimeException e) {
            throw new IncompatibleCheckpointException("damaged World Models state " + stateFile + ": " + e);
        }
        if (config.inDream() && phase == Phase.EVOLVE && starts == null) {
            throw new IncompatibleCheckpointException("checkpoint has no dream starts, which train_in=dream needs");
        }
        cmaes = search;
        if (restored != controller) {
            controller = restored;
            policies = policies(restored);
        }
        policies.forgetBatch();
        rng = ResumedRandom.after(seed, calls);
        closeActors();
    }

    /**
     * The controller a checkpoint holds, whatever this agent's config asks: C's input and output form
     * are part of the search's state, so a run goes on with the controller it was evolving (a run
     * started under an older preset, or a checkpoint evaluated by an agent configured otherwise). A
     * checkpoint written before they were choices (no {@value #CONTROLLER_INPUT} entry) has the one
     * every checkpoint had then: {@code [z, h]}, an output per action.
     */
    private Controller restoredController(Properties p) {
        boolean readsCell = WorldModelsConfig.ZCH.equals(p.getProperty(CONTROLLER_INPUT));
        boolean thresholds = Boolean.parseBoolean(p.getProperty(CONTROLLER_THRESHOLDS));
        if (readsCell == controller.readsCell() && thresholds == controller.thresholds()) {
            return controller;
        }
        return controller(readsCell, thresholds);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("agent is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeActors();
            training.close();
            manager.close();
        }
    }
}
