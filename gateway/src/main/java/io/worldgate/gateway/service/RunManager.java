package io.worldgate.gateway.service;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.AgentCreation;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunMetricsFiles;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.run.TrainingRunBuilder;
import io.worldgate.gateway.service.internal.CheckpointEvaluator;
import io.worldgate.gateway.service.internal.DeployedAgents;
import io.worldgate.gateway.service.internal.StatusFileWriter;
import io.worldgate.gateway.service.internal.StoredRuns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training runs of one gateway: starts, stops, resumes, swaps and evaluates them. Runs are
 * isolated: each has its own thread, environments, experience and directory
 * {@code <runs-dir>/<run-id>/}, and one failing never stops another.
 *
 * <p>A run directory ({@link RunDirectory}) holds {@code config.json} (what was asked, resolved),
 * {@code status.json} (state and step, updated at checkpoints and at the end), {@code checkpoints/}
 * and whatever the metrics writers and the agent put there. The runs on disk are read through
 * {@link StoredRuns}, agents found through {@link DeployedAgents}, and checkpoints evaluated apart
 * from their run by {@link CheckpointEvaluator}; this class holds the runs loaded here and their
 * lifecycle.
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);

    private final PluginHost host;
    private final EnvRegistry envs;
    private final Path runsDir;
    private final Map<String, TrainingRun> runs = new ConcurrentHashMap<>();
    private final MetricsRegistry registry;
    private final StoredRuns stored;
    private final DeployedAgents agents;
    private final CheckpointEvaluator evaluator;

    public RunManager(PluginHost host, EnvRegistry envs, Path runsDir, MetricsRegistry registry) {
        this.host = host;
        this.envs = envs;
        this.runsDir = runsDir.toAbsolutePath().normalize();
        this.registry = registry;
        this.stored = new StoredRuns(this.runsDir);
        this.agents = new DeployedAgents(host);
        this.evaluator = new CheckpointEvaluator(host, envs, agents);
    }

    public Path runsDirectory() {
        return runsDir;
    }

    /**
     * Validates a request and starts its run.
     *
     * @throws ConfigException for an unknown agent, preset or config key, or a bad value (the
     *     message lists what exists)
     * @throws IllegalArgumentException for other bad values (steps, env id)
     * @throws io.worldgate.gateway.bridge.EnvException if the environments cannot be opened (unknown
     *     id or option, bridge options or image sizes beyond the limits, an env worker the gateway
     *     does not allow; the message lists what exists): they are opened here, before the run and
     *     its directory exist, and handed to the run
     */
    public TrainingRun start(RunRequest r, RunListener... listeners) {
        if (r.steps() < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + r.steps());
        }
        if (r.numEnvs() < 1 || r.numEnvs() > 4096) {
            throw new IllegalArgumentException("the number of environments must be in [1, 4096], got " + r.numEnvs());
        }
        if (r.env() == null || r.env().isBlank()) {
            throw new IllegalArgumentException("an environment id is required; see 'envs list'");
        }
        if (r.keepCheckpoints() < 0 || r.experienceCapacityBytes() < 0) {
            throw new IllegalArgumentException("keep_checkpoints and experience_capacity must be >= 0 (0: the default)");
        }
        envs.checkOptions(r.env(), r.envOptions());
        FactoryHandle factory = agents.find(r.agent());
        AgentConfig resolved = AgentCreation.resolve(factory, r.preset(), r.agentConfig());
        long checkpointEvery = r.checkpointEvery() == 0 ? RunRequest.DEFAULT_CHECKPOINT_EVERY : r.checkpointEvery();
        if (r.trainRatio() != RunRequest.AGENT_DEFAULT_TRAIN_RATIO && !(r.trainRatio() >= 0)) {
            throw new IllegalArgumentException("the train ratio must be a number >= 0 (0: no training), got " + r.trainRatio());
        }
        // only the marker asks for the agent's default: another negative number is a mistake, not a wish
        double trainRatio = r.trainRatio() == RunRequest.AGENT_DEFAULT_TRAIN_RATIO
                ? factory.factory().descriptor().defaultTrainRatio() : r.trainRatio();
        // The environments are the judge of their ids and options (a Python family asks its worker):
        // opening them here turns bad input into an error for the caller, with no run left behind.
        VectorEnv env = envs.create(r.env(), r.numEnvs(), r.envOptions());
        try {
            String runId = stored.newRunId(r.agent(), r.env(), runs::containsKey);
            RunConfig config = new RunConfig(runId, r.agent(), blankToNull(r.preset()), r.agentConfig(), r.env(), r.envOptions(),
                    r.numEnvs(), r.steps(), r.seed(), trainRatio, r.prefill(), checkpointEvery, r.evalEvery(),
                    r.evalEpisodes(), runsDir.resolve(runId), r.device(), r.keepCheckpoints(), r.experienceCapacityBytes(),
                    r.swapWarmupUpdates());
            stored.writeConfig(config, resolved);
            return launch(TrainingRun.builder(config, host, envs).env(env), config, 0, listeners);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    /**
     * Continues a run that is not running, from its latest complete checkpoint and its stored
     * experience; the step counter goes on from the checkpoint's step.
     *
     * @throws NotFoundException if there is no such run
     * @throws IllegalStateException if it is running, or finished its budget
     */
    public TrainingRun resume(String runId, RunListener... listeners) {
        TrainingRun loaded = runs.get(StoredRuns.checkRunId(runId));
        if (loaded != null && !loaded.status().state().isTerminal()) {
            throw new IllegalStateException("run " + runId + " is " + loaded.status().state() + "; stop it before resuming");
        }
        RunConfig config = stored.readConfig(runId);
        Map<Path, String> damaged = new LinkedHashMap<>();
        Optional<Checkpoints.Checkpoint> checkpoint = Checkpoints.newestIntact(config.runDirectory(), true, damaged::put);
        long step = checkpoint.map(Checkpoints.Checkpoint::step).orElse(0L);
        long episodes = checkpoint.map(Checkpoints.Checkpoint::episodes).orElse(0L);
        if (step >= config.totalSteps()) {
            throw new IllegalStateException("run " + runId + " already reached its budget of " + config.totalSteps() + " steps");
        }
        // Numbered after every checkpoint directory there is, damaged ones included, so none is overwritten.
        List<Path> all = Checkpoints.numbered(config.runDirectory());
        int written = all.isEmpty() ? 0 : Checkpoints.number(all.get(all.size() - 1));
        TrainingRunBuilder b = TrainingRun.builder(config, host, envs);
        checkpoint.ifPresent(c -> b.resumeFrom(step, episodes, c.directory(), written));
        damaged.forEach((dir, why) -> {
            LOG.warn("run {}: damaged checkpoint {} skipped: {}", runId, dir.getFileName(), why);
            b.startEvent(new RunEvent.DamagedCheckpointSkipped(dir.getFileName().toString(), step, why,
                    checkpoint.map(Checkpoints.Checkpoint::name).orElse("")));
        });
        LOG.info("resuming run {} at step {} from {}", runId, step, checkpoint.map(c -> c.directory().toString()).orElse("no checkpoint"));
        return launch(b, config, step, listeners);
    }

    /** Starts a run; {@code fromStep} is where it goes on (metrics written past it by an earlier process are dropped). */
    private TrainingRun launch(TrainingRunBuilder b, RunConfig config, long fromStep, RunListener... listeners) {
        for (RunListener l : listeners) {
            b.listener(l);
        }
        b.listener(new StatusFileWriter(config));
        // On disk in the run directory: a crash loses at most the last chunk, and resume finds it all.
        b.experience(spec -> ExperienceStore.inRunDirectory(config.runDirectory(), spec, config.experienceCapacityBytes()));
        try {
            b.metrics(RunMetricsFiles.open(config.runDirectory(), config.runId(), registry, fromStep));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metrics files of run " + config.runId() + ": " + e.getMessage(), e);
        }
        b.afterEnd(run -> {
            try {
                return RunMetricsFiles.plotLearningCurve(config.runDirectory(), config.agentName() + " on " + config.envId())
                        .map(plot -> "learning curve written to " + config.runDirectory().relativize(plot));
            } catch (IOException e) {
                return Optional.of("learning curve not written: " + e.getMessage());
            }
        });
        TrainingRun run = b.build();
        runs.put(config.runId(), run);
        return run.start();
    }

    /** The run loaded in this gateway. */
    public TrainingRun get(String runId) {
        TrainingRun run = runs.get(StoredRuns.checkRunId(runId));
        if (run == null) {
            throw new NotFoundException("no run '" + runId + "' is loaded in this gateway"
                    + (stored.exists(runId) ? "; it exists on disk: resume it" : "; see 'runs list'"));
        }
        return run;
    }

    /** Stops a run at its next step boundary (it checkpoints first) and waits up to 60 s for it. */
    public RunStatus stop(String runId) throws InterruptedException {
        TrainingRun run = get(runId);
        run.stop();
        return run.await(Duration.ofSeconds(60));
    }

    /**
     * Swaps a running run's agent to {@code name} or {@code name@version} (pinned) at its next step
     * boundary; completes with the outcome (see {@link TrainingRun#swapAgent}). A swap that happened,
     * or that found the agent asked for running, is recorded in config.json for {@link #resume}.
     *
     * @throws ConfigException if no deployed plugin offers an agent of that name
     * @throws IllegalStateException if the run has ended
     */
    public CompletableFuture<SwapOutcome> swap(String runId, String selector) {
        TrainingRun run = get(runId);
        if (run.status().state().isTerminal()) {
            throw new IllegalStateException("run " + runId + " is " + run.status().state() + "; resume it first");
        }
        String name = selector.contains("@") ? selector.substring(0, selector.indexOf('@')) : selector;
        agents.requireOffered(name);
        // Recorded on the run's thread as the new agent takes over, before the run can end.
        return run.swapAgent(selector).thenApply(outcome -> {
            if (outcome instanceof RunEvent.AgentSwapped
                    || outcome instanceof RunEvent.SwapRejected r && r.reason() == RunEvent.SwapRejected.Reason.ALREADY_RUNNING) {
                rememberAgent(runId, selector);
            }
            return outcome;
        });
    }

    /**
     * Records a swap in config.json, so that a resumed run goes on with the agent it was swapped to.
     * Swaps settle on the run's thread and on callers' threads: one at a time, each through a temp
     * file of its own, so that a config.json is never made of two writes.
     */
    private synchronized void rememberAgent(String runId, String selector) {
        try {
            new RunDirectory(runsDir.resolve(runId)).recordAgent(selector);
        } catch (IOException | RuntimeException e) {
            LOG.warn("the swap of run {} to {} is not recorded in {}: {}", runId, selector, RunDirectory.CONFIG_FILE, e.toString());
        }
    }

    /** Runs loaded in this gateway, and with {@code includeDisk} the others found in the runs directory. */
    public List<RunStatus> list(boolean includeDisk) {
        Map<String, RunStatus> out = new LinkedHashMap<>();
        runs.values().stream().map(TrainingRun::status).sorted(Comparator.comparing(RunStatus::runId))
                .forEach(s -> out.put(s.runId(), s));
        if (includeDisk) {
            stored.statusesExcept(out.keySet()).forEach(s -> out.put(s.runId(), s));
        }
        return List.copyOf(out.values());
    }

    /**
     * Plays {@code episodes} evaluation episodes with a fresh agent that loads {@code checkpoint}
     * (a directory name under the run's checkpoints/, or null for the latest), on environments of
     * its own. Works for running and stopped runs alike; the run itself is not disturbed.
     */
    public EvaluationResult evaluate(String runId, String checkpoint, int episodes, long seed) {
        return evaluator.evaluate(runId, stored.readConfig(runId), checkpoint, episodes, seed);
    }

    /** Stops every run and waits for each to checkpoint. */
    @Override
    public void close() {
        runs.values().forEach(TrainingRun::stop);
        for (TrainingRun run : runs.values()) {
            try {
                run.await(Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The highest-numbered checkpoint whose seal is intact (its files are not checked: a quick look). */
    static Optional<Path> latestCheckpoint(Path runDir) {
        return StoredRuns.latestCheckpoint(runDir);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Runs known in this gateway, by id; for the service. */
    public List<TrainingRun> loaded() {
        return new ArrayList<>(runs.values());
    }
}
