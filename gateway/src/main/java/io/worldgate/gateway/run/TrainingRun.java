package io.worldgate.gateway.run;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.internal.PluginMetricsSink;
import io.worldgate.gateway.run.internal.AgentSlot;
import io.worldgate.gateway.run.internal.CheckpointWriter;
import io.worldgate.gateway.run.internal.EpisodeInfos;
import io.worldgate.gateway.run.internal.EpisodeTally;
import io.worldgate.gateway.run.internal.Evaluator;
import io.worldgate.gateway.run.internal.HostAgentContext;
import io.worldgate.gateway.run.internal.ServiceBindings;
import io.worldgate.gateway.run.internal.ServiceFailedException;
import io.worldgate.gateway.run.internal.RunEvaluations;
import io.worldgate.gateway.run.internal.RunPopulationEvaluator;
import io.worldgate.gateway.run.internal.RunAgents;
import io.worldgate.gateway.run.internal.RunReporter;
import io.worldgate.gateway.run.internal.StepBudget;
import io.worldgate.gateway.run.internal.StepSchedule;
import io.worldgate.gateway.run.internal.Throughput;
import io.worldgate.gateway.run.internal.VectorEnvEpisodeRunner;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run: a loop of act, step, observe and train over N environments with one agent,
 * on a thread of its own, with evaluations and checkpoints at fixed step intervals.
 *
 * <p>The run, not the agent, owns everything that must survive an agent swap: the environments,
 * the experience, the step counter and the checkpoints (as files in the run directory). The agent
 * may change at any step boundary (see {@link AgentSlot}); the loop goes on with the new one.
 *
 * <p>This class holds the loop and the run's state; the rest is delegated: which steps count and
 * when updates are due ({@link StepBudget}), when to evaluate and checkpoint ({@link StepSchedule}),
 * how episodes end ({@link EpisodeTally}), evaluations ({@link RunEvaluations}), telling listeners,
 * metrics and log ({@link RunReporter}), the agents' metrics sink ({@link PluginMetricsSink}), and
 * making and retiring agents with the run's checkpoints ({@link RunAgents}).
 */
public final class TrainingRun implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);
    private static final long PROGRESS_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();

    private final RunConfig config;
    private final PluginHost host;
    private final EnvRegistry envs;
    private final RunReporter reporter;
    private final MetricsWriter metricsWriter;
    private final Function<EnvSpec, ExperienceStore> experienceFactory;
    private final List<Function<TrainingRun, Optional<String>>> afterEnd;
    private final AgentSlot slot;
    private final Thread thread;
    private final Map<String, Double> metrics = new ConcurrentHashMap<>();
    private final EpisodeTally episodes = new EpisodeTally(new EpisodeOutput());
    private final Throughput throughput = new Throughput();
    private final RunEvaluations evaluations;
    private final RunAgents agents;
    /** The environments opened before the run ({@link TrainingRunBuilder#env}), or null: the run opens them. */
    private final VectorEnv openedEnv;
    private final List<String> warnings;
    private final List<RunEvent> startEvents;

    private volatile RunState state = RunState.STARTING;
    private volatile String message = "starting";
    private volatile long step;
    /** Episodes finished before this process took the run over (on resume). */
    private final long episodesBefore;
    private volatile long updates;
    private volatile long workerRestarts;
    private long waitingSteps;
    private volatile boolean stopRequested;
    private final CheckpointWriter checkpoints;

    private EnvSpec spec;
    private ExperienceStore experience;
    private VectorEnv env;
    /** Scores an agent's candidate policies on {@link #env}, inside its {@code train}; made with the loop. */
    private RunPopulationEvaluator population;

    /** A run with in-memory experience and no metrics files; see {@link #builder} for more. */
    public TrainingRun(RunConfig config, PluginHost host, EnvRegistry envs, RunListener listener) {
        this(builder(config, host, envs).listener(listener));
    }

    TrainingRun(TrainingRunBuilder b) {
        this.config = b.config;
        this.host = b.host;
        this.envs = b.envs;
        this.reporter = new RunReporter(config.runId(), b.metrics, b.listeners, () -> step, this::status);
        this.metricsWriter = b.metrics;
        this.experienceFactory = b.experience;
        this.afterEnd = List.copyOf(b.afterEnd);
        this.slot = new AgentSlot(config.agentBaseName(), config.agentVersion(), () -> step, this::event);
        this.step = b.startStep;
        this.episodesBefore = b.startEpisodes;
        this.checkpoints = new CheckpointWriter(config.runDirectory(), config.keepCheckpoints(), b.startCheckpoint,
                b.checkpointCount, this::event);
        this.openedEnv = b.env;
        this.warnings = List.copyOf(b.warnings);
        this.startEvents = List.copyOf(b.startEvents);
        this.evaluations = new RunEvaluations(new Evaluator(n -> envs.create(config.envId(), n, config.envOptions()),
                config.evalEpisodes(), config.numEnvs(), config.seed()), reporter, metricsWriter, config.runDirectory());
        this.agents = new RunAgents(config.runId(), config.preset(), config.agentOverrides(), new AgentsSide());
        this.thread = new Thread(this::runLoop, "run-" + config.runId());
    }

    public static TrainingRunBuilder builder(RunConfig config, PluginHost host, EnvRegistry envs) {
        return new TrainingRunBuilder(config, host, envs);
    }

    /** Starts the loop on its own thread. */
    public TrainingRun start() {
        slot.watchServices(host.bundleContext());
        host.addListener(slot);
        thread.start();
        return this;
    }

    /** Adds a listener, for example a metrics stream of the service; it hears from now on. */
    public void addListener(RunListener listener) {
        reporter.addListener(listener);
    }

    /**
     * Adds a listener that hears the run's events from now on, after its typed events so far in
     * this process (the most recent few thousand) if {@code replayEvents}, none missed between the
     * two. Returns true when the run will tell nothing more: its end was told before the listener
     * joined, or it ended without a loop in this process (a stored run).
     */
    public boolean follow(RunListener listener, boolean replayEvents) {
        boolean endTold = reporter.follow(listener, replayEvents);
        return endTold || (state.isTerminal() && !thread.isAlive());
    }

    public void removeListener(RunListener listener) {
        reporter.removeListener(listener);
    }

    /** Asks the loop to stop at the next step boundary; it checkpoints the agent first. */
    public void stop() {
        stopRequested = true;
        slot.requestStop();
    }

    /**
     * Switches to another agent, {@code name} (its highest deployed version) or
     * {@code name@version} (that version, pinned), at the next step boundary. The checkpoint is
     * handed over; an agent that cannot read it starts fresh. Completes with the outcome, also
     * told to the listeners: {@link RunEvent.AgentSwapped}, or {@link RunEvent.SwapRejected} with
     * the reason (at once when the agent asked for is the one in use, or is not deployed).
     */
    public CompletableFuture<RunEvent.SwapOutcome> swapAgent(String selector) {
        int at = selector.indexOf('@');
        String name = at < 0 ? selector : selector.substring(0, at);
        String version = at < 0 ? null : selector.substring(at + 1);
        if (state.isTerminal()) {
            return CompletableFuture.completedFuture(new RunEvent.SwapRejected(selector, RunEvent.SwapRejected.Reason.RUN_ENDED,
                    "", step, "the run is " + state));
        }
        CompletableFuture<RunEvent.SwapOutcome> outcome = slot.retarget(name, version);
        if (!outcome.isDone()) {
            event(new RunEvent.SwapRequested(selector, step));
        }
        return outcome;
    }

    /** Waits for the run to end; returns its final status, or the current one on timeout. */
    public RunStatus await(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return status();
    }

    public RunConfig config() {
        return config;
    }

    public RunStatus status() {
        EpisodeTally.Finished finished = episodes.finished();
        String agent = slot.current().map(FactoryHandle::label).orElse(agents.lastLabel());
        return new RunStatus(config.runId(), state, message, agent, step, config.totalSteps(), episodesBefore + finished.count(),
                finished.lastReturn(), throughput.perSecond(), updates, workerRestarts, episodes.cutCount());
    }

    /** Returns of every episode finished in this process, in order. */
    public List<Double> episodeReturns() {
        return episodes.returns();
    }

    /** Every evaluation so far as {@code [step, mean return]}. */
    public List<double[]> evaluations() {
        return evaluations.results();
    }

    /** The latest value of each metric the agent reported. */
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** The directory of the latest checkpoint, if any was written. */
    public Optional<Path> lastCheckpoint() {
        return checkpoints.last();
    }

    /** The agent in use, or last in use, as {@code name@version}; null before the first was created. */
    public String lastAgentLabel() {
        return agents.lastLabel();
    }

    /**
     * A weak reference to the class loader of the agent in use (or last in use). Lets tests
     * check that a replaced plugin's class loader can be collected.
     */
    public WeakReference<ClassLoader> agentClassLoader() {
        return agents.classLoader();
    }

    private void runLoop() {
        RunState finalState = RunState.FAILED;
        String why = "ended";
        try {
            try {
                Files.createDirectories(config.runDirectory());
                for (String w : warnings) {
                    LOG.warn("run {}: {}", config.runId(), w);
                    event("WARNING: " + w);
                }
                startEvents.forEach(this::event);
                env = openedEnv != null ? openedEnv : envs.create(config.envId(), config.numEnvs(), config.envOptions());
                spec = env.spec();
                experience = experienceFactory.apply(spec);
                experience.recoveryReport(step).ifPresent(this::event);
                boolean stoppedEarly = loop();
                finalState = stoppedEarly ? RunState.STOPPED : RunState.FINISHED;
                why = (stoppedEarly ? "stopped" : "finished") + " at step " + step;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finalState = RunState.STOPPED;
                why = "interrupted";
            } catch (ServiceFailedException e) {
                // the plugin said why; no agent is in use while one waits for a service: nothing to save
                LOG.error("run {} failed: {}", config.runId(), e.getMessage());
                event(e.event());
                why = e.getMessage();
            } catch (RuntimeException | IOException e) {
                LOG.error("run {} failed", config.runId(), e);
                why = AgentSlot.describe(e);
                checkpointAfterFailure(why);
            } catch (Error e) {
                // Errors too (a class gone missing under a plugin, out of memory) must end the run,
                // or whoever waits for its end waits forever.
                LOG.error("run {} failed", config.runId(), e);
                why = "internal error: " + AgentSlot.describe(e);
            } finally {
                release();
            }
        } finally {
            // whatever was thrown above, the run ends: followers and shutdown wait for this state
            end(finalState, why);
        }
    }

    /**
     * Releases what the run holds, each part on its own: one that throws, even an {@link Error}
     * (a class of a replaced jar that cannot load), is told as {@link RunEvent.CleanupFailed} and
     * the others are still released.
     */
    private void release() {
        cleanUp(RunEvent.CleanupFailed.Part.PLUGIN_WATCH, () -> {
            host.removeListener(slot);
            slot.unwatchServices();
            slot.endRequests();
        });
        closing(RunEvent.CleanupFailed.Part.ENVIRONMENTS, env);
        closing(RunEvent.CleanupFailed.Part.EVALUATIONS, evaluations);
        closing(RunEvent.CleanupFailed.Part.EXPERIENCE, experience);
        closing(RunEvent.CleanupFailed.Part.METRICS, metricsWriter);
        // After the metrics are closed, before the final state is told: whoever waits for the end finds the plot.
        for (Function<TrainingRun, Optional<String>> hook : afterEnd) {
            cleanUp(RunEvent.CleanupFailed.Part.END_OF_RUN_STEP, () -> hook.apply(this).ifPresent(this::event));
        }
    }

    private void closing(RunEvent.CleanupFailed.Part part, AutoCloseable c) {
        if (c != null) {
            cleanUp(part, c::close);
        }
    }

    private void cleanUp(RunEvent.CleanupFailed.Part part, Cleanup action) {
        try {
            action.run();
        } catch (Throwable t) {
            LOG.warn("run {}: closing its {} failed", config.runId(), part, t);
            try {
                event(new RunEvent.CleanupFailed(step, part, AgentSlot.describe(t)));
            } catch (Throwable ignored) {
                // telling it failed too (a listener of a replaced jar): the log has it, the run still ends
            }
        }
    }

    /** A step of {@link #release} that may throw anything. */
    private interface Cleanup {
        void run() throws Exception;
    }

    /**
     * Saves the agent after the run failed, so that {@code resume} goes on from here. What ends the
     * loop with an exception is the environment, the experience or the metrics files: an agent
     * that throws is closed at once without a checkpoint (see {@link #agentFailed}) and never gets
     * here, so the agent in the slot, if any, stopped between two steps and is sound. An
     * {@link Error} (out of memory, a class gone from under a plugin) may have left it anywhere:
     * nothing is saved then.
     */
    private void checkpointAfterFailure(String why) {
        if (experience == null || spec == null) {
            return; // failed before the loop: no agent was ever made
        }
        try {
            slot.stop(agents, "run failed: " + why);
        } catch (RuntimeException e) {
            LOG.warn("run {}: no checkpoint after the failure: {}", config.runId(), AgentSlot.describe(e));
        }
    }

    /** The act-step-train loop; returns whether it was stopped before its budget. */
    private boolean loop() throws InterruptedException {
        // A resumed run starts new episodes; a seed offset by the step keeps them from repeating the first run's.
        StepBatch obs = env.reset(config.seed() + step);
        experience.appendObservations(obs);
        int n = spec.numEnvs();
        boolean[] counts = new boolean[n];
        StepBudget budget = new StepBudget(config.totalSteps(), config.trainRatio(), config.prefillSteps());
        EpisodeInfos episodeInfos = new EpisodeInfos(env);
        episodes.track(n, episodeInfos);
        population = new RunPopulationEvaluator(env, experience, episodeInfos, new PopulationSide());
        StepSchedule checkpointSchedule = new StepSchedule(config.checkpointEvery(), step);
        StepSchedule evalSchedule = new StepSchedule(config.evalEvery(), step);
        long lastProgress = 0;
        throughput.start(System.nanoTime());
        while (step < config.totalSteps() && !stopRequested) {
            Optional<Agent> acquired = slot.acquire(agents);
            if (acquired.isEmpty()) {
                break;
            }
            Agent agent = acquired.get();
            if (state != RunState.RUNNING) {
                RunEvent running = state == RunState.PAUSED ? new RunEvent.RunResumed(step) : new RunEvent.RunStarted(step);
                setState(RunState.RUNNING, "running", running);
            }
            if (cadence() == TrainingCadence.GENERATIONS) {
                if (!generation(agent)) {
                    continue;
                }
            } else {
                Tensor actions;
                try {
                    actions = agent.act(obs, ActMode.EXPLORE);
                    if (actions == null) {
                        throw new IllegalStateException("act returned null");
                    }
                } catch (RuntimeException e) {
                    if (!slot.needsService(e)) {
                        agentFailed("failed in act: " + AgentSlot.describe(e));
                    }
                    continue;
                }
                Optional<String> invalid = spec.actionSpace().validateBatch(actions, n);
                if (invalid.isPresent()) {
                    agentFailed("returned invalid actions: " + invalid.get());
                    continue;
                }
                experience.appendActions(actions);
                obs = env.step(actions);
                experience.appendObservations(obs);
                episodeInfos.observe(obs);
                int counted = budget.count(step, episodeInfos::waiting, counts);
                step += counted;
                throughput.add(counted);
                for (int i = 0; i < n; i++) {
                    if (counts[i] && !obs.isFirst()[i]) {
                        episodes.stepped(i, obs.rewards()[i], obs.isLast(i));
                    }
                }
                if (episodeInfos.workerRestarts() != workerRestarts) {
                    workerRestarts = episodeInfos.workerRestarts();
                    scalar(EpisodeInfos.WORKER_RESTARTS_TAG, workerRestarts);
                }
                int due = budget.updatesDue(counted, step);
                if (due > 0) {
                    try {
                        Map<String, Double> trained = population.during(() -> agent.train(due));
                        updates += due;
                        metrics.putAll(trained);
                        trained.forEach((tag, value) -> scalar(tag, value));
                    } catch (RuntimeException e) {
                        if (!slot.needsService(e)) {
                            agentFailed("failed in train: " + AgentSlot.describe(e));
                        }
                        continue;
                    }
                }
            }
            // after an evaluation of the population the envs were reset: the run's acting goes on from there
            obs = population.takeFreshStart().orElse(obs);
            if (evalSchedule.due(step)) {
                evaluate(agent);
            }
            if (checkpointSchedule.due(step)) {
                slot.current().ifPresent(h -> writeCheckpoint(h, agent, "periodic"));
            }
            long now = System.nanoTime();
            if (now - lastProgress > PROGRESS_INTERVAL_NANOS) {
                if (throughput.sample(now)) {
                    scalar("perf/steps_per_second", throughput.perSecond());
                }
                lastProgress = now;
                reportWaitingSteps(episodeInfos);
                reporter.progress();
            }
        }
        reportWaitingSteps(episodeInfos);
        slot.stop(agents, stopRequested ? "run stopped" : "run finished");
        return stopRequested && step < config.totalSteps();
    }

    /** How the agent in use trains, as its plugin declares. */
    private TrainingCadence cadence() {
        return slot.current().map(h -> h.factory().descriptor().cadence()).orElse(TrainingCadence.REPLAY_RATIO);
    }

    /**
     * One generation of an agent that drives its own ({@link TrainingCadence#GENERATIONS}):
     * {@code train(1)}, whose population evaluations take the run's steps. Returns false when the
     * agent failed (the run pauses), which includes a generation that took no step.
     */
    private boolean generation(Agent agent) {
        long before = step;
        Map<String, Double> trained;
        try {
            trained = population.during(() -> agent.train(1));
        } catch (RuntimeException e) {
            if (!slot.needsService(e)) {
                agentFailed("failed in train: " + AgentSlot.describe(e));
            }
            return false;
        }
        updates++;
        metrics.putAll(trained);
        trained.forEach(this::scalar);
        if (step == before) {
            agentFailed("took no environment step in a generation (an agent of the GENERATIONS cadence scores its"
                    + " candidates with the population evaluator, whose steps spend the run's budget)");
            return false;
        }
        return true;
    }

    /** How a population evaluation's steps and episodes become the run's. */
    private final class PopulationSide implements RunPopulationEvaluator.RunSide {
        @Override
        public void cutEpisodesInProgress() {
            episodes.cutInProgress();
        }

        @Override
        public long resetSeed() {
            return config.seed() + step;
        }

        @Override
        public void stepsTaken(int steps) {
            step += steps;
        }

        @Override
        public void episodeFinished(int env, double episodeReturn, int length) {
            episodes.ended(env, episodeReturn, length, false);
        }

        @Override
        public void episodeCut(int env, double partialReturn, int length) {
            episodes.ended(env, partialReturn, length, true);
        }
    }

    /** Finished episodes are told to the listeners, with the status that counts them. */
    private final class EpisodeOutput implements EpisodeTally.Output {
        @Override
        public void scalar(String tag, double value) {
            TrainingRun.this.scalar(tag, value);
        }

        @Override
        public void episodeFinished(double episodeReturn, int length) {
            reporter.episode(episodeReturn, length);
        }
    }

    /** Writes the count of stand-in rows (env steps lost to worker restarts) when it has grown. */
    private void reportWaitingSteps(EpisodeInfos infos) {
        if (infos.waitingSteps() != waitingSteps) {
            waitingSteps = infos.waitingSteps();
            scalar(EpisodeInfos.WAITING_STEPS_TAG, waitingSteps);
        }
    }

    /** Scores the agent on environments of the evaluations' own; the run's envs are not disturbed. */
    private void evaluate(Agent agent) {
        evaluations.evaluate(obs -> agent.act(obs, ActMode.EVAL), step, step >= config.totalSteps(), () -> stopRequested);
    }

    private void scalar(String tag, double value) {
        reporter.scalar(tag, value);
    }

    private void agentFailed(String what) {
        String label = slot.current().map(FactoryHandle::label).orElse(config.agentName());
        String text = label + " " + what;
        LOG.warn("run {}: {}", config.runId(), text);
        slot.fail(text);
        event(new RunEvent.AgentFailed(label, step, what));
    }

    private void end(RunState s, String why) {
        setState(s, why, new RunEvent.RunEnded(s, step, why));
        reporter.progress();
    }

    /** Moves to {@code s}; tells {@code event} when the state or its message changed. */
    private void setState(RunState s, String why, RunEvent event) {
        boolean changed = state != s || !why.equals(message);
        state = s;
        message = why;
        if (changed) {
            event(event);
        }
    }

    private void event(String text) {
        reporter.note(text);
    }

    private void event(RunEvent e) {
        reporter.event(e);
    }

    private Path writeCheckpoint(FactoryHandle h, Agent agent, String why) {
        Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("episodes", Long.toString(status().episodes()));
        facts.put("reason", why);
        return checkpoints.write(h, agent, step, facts, () -> {
            experience.flush();
            metricsWriter.flush();
        }).orElse(null);
    }

    /** The file that marks a complete checkpoint directory and says whose and at which step. */
    public static final String CHECKPOINT_INFO = Checkpoints.INFO_FILE;

    /** What the run's agents are made with, and where they are saved and told. */
    private final class AgentsSide implements RunAgents.Run {
        @Override
        public long step() {
            return step;
        }

        @Override
        public EnvSpec spec() {
            return spec;
        }

        @Override
        public AgentContext context(ServiceBindings services) {
            // the agent's scalars are also kept as the run's latest metrics
            MetricsSink sink = new PluginMetricsSink(config.runDirectory(), metricsWriter, () -> step, (name, value) -> {
                metrics.put(name, value);
                scalar(name, value);
            }, TrainingRun.this::event);
            return new HostAgentContext(experience,
                    Optional.of(new VectorEnvEpisodeRunner(spec, k -> envs.create(config.envId(), k, config.envOptions()))),
                    sink, config.runDirectory(), config.seed(), config.device(), services, Optional.of(population));
        }

        @Override
        public Optional<Path> lastCheckpoint() {
            return checkpoints.last();
        }

        @Override
        public void checkpoint(FactoryHandle handle, Agent agent, String why) {
            writeCheckpoint(handle, agent, why);
        }

        @Override
        public void warmUp(FactoryHandle handle, Agent agent) {
            int n = config.swapWarmupUpdates();
            // an agent that drives its own generations, or a run that never trains, has nothing to warm up
            if (n == 0 || config.trainRatio() == 0 || experience.numSteps() == 0
                    || handle.factory().descriptor().cadence() != TrainingCadence.REPLAY_RATIO) {
                return;
            }
            long t0 = System.nanoTime();
            Map<String, Double> trained = population.during(() -> agent.train(n));
            updates += n;
            metrics.putAll(trained);
            trained.forEach((tag, value) -> scalar(tag, value));
            event(new RunEvent.AgentWarmedUp(handle.label(), step, n, (System.nanoTime() - t0) / 1e9));
        }

        @Override
        public void waiting(RunEvent.RunPaused why) {
            if (stopRequested) {
                return;
            }
            setState(RunState.PAUSED, why.detail(), why);
            reporter.progress();
        }

        @Override
        public void event(RunEvent event) {
            TrainingRun.this.event(event);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        thread.join();
    }
}
