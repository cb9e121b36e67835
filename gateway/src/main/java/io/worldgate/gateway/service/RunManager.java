package io.worldgate.gateway.service;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.AgentCreation;
import io.worldgate.gateway.run.CheckpointEvaluation;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.LearnerRun;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunMetricsFiles;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training runs of one gateway: starts, stops, resumes, swaps and evaluates them. Runs are
 * isolated: each has its own thread, environments, experience and directory
 * {@code <runs-dir>/<run-id>/}, and one failing never stops another.
 *
 * <p>A run directory ({@link RunDirectory}) holds {@code config.json} (what was asked, resolved),
 * {@code status.json} (state and step, updated at checkpoints and at the end), {@code checkpoints/}
 * and whatever the metrics writers and the agent put there.
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunManager.class);
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final PluginHost host;
    private final EnvRegistry envs;
    private final Path runsDir;
    private final Map<String, TrainingRun> runs = new ConcurrentHashMap<>();
    private final MetricsRegistry registry;

    public RunManager(PluginHost host, EnvRegistry envs, Path runsDir, MetricsRegistry registry) {
        this.host = host;
        this.envs = envs;
        this.runsDir = runsDir.toAbsolutePath().normalize();
        this.registry = registry;
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
        checkEnvFamily(r.env());
        envs.checkOptions(r.env(), r.envOptions());
        FactoryHandle factory = findFactory(r.agent());
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
            String runId = newRunId(r.agent(), r.env());
            RunConfig config = new RunConfig(runId, r.agent(), blankToNull(r.preset()), r.agentConfig(), r.env(), r.envOptions(),
                    r.numEnvs(), r.steps(), r.seed(), trainRatio, r.prefill(), checkpointEvery, r.evalEvery(),
                    r.evalEpisodes(), runsDir.resolve(runId), r.device(), r.keepCheckpoints(), r.experienceCapacityBytes());
            writeConfig(config, resolved);
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
        TrainingRun loaded = runs.get(checkRunId(runId));
        if (loaded != null && !loaded.status().state().isTerminal()) {
            throw new IllegalStateException("run " + runId + " is " + loaded.status().state() + "; stop it before resuming");
        }
        RunConfig config = readConfig(runId);
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
        TrainingRun.Builder b = TrainingRun.builder(config, host, envs);
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
    private TrainingRun launch(TrainingRun.Builder b, RunConfig config, long fromStep, RunListener... listeners) {
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
        TrainingRun run = runs.get(checkRunId(runId));
        if (run == null) {
            throw new NotFoundException("no run '" + runId + "' is loaded in this gateway"
                    + (Files.isDirectory(runsDir.resolve(runId)) ? "; it exists on disk: resume it" : "; see 'runs list'"));
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
        if (host.factories().stream().noneMatch(h -> h.agentName().equals(name))) {
            throw new ConfigException("no deployed plugin offers agent '" + name + "'; available: " + availableAgents());
        }
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
        if (includeDisk && Files.isDirectory(runsDir)) {
            try (Stream<Path> dirs = Files.list(runsDir)) {
                dirs.filter(RunDirectory::isRun).sorted().forEach(d -> {
                    String id = d.getFileName().toString();
                    if (!out.containsKey(id)) {
                        out.put(id, storedOrDamaged(id));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + runsDir + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Plays {@code episodes} evaluation episodes with a fresh agent that loads {@code checkpoint}
     * (a directory name under the run's checkpoints/, or null for the latest), on environments of
     * its own. Works for running and stopped runs alike; the run itself is not disturbed.
     */
    public EvaluationResult evaluate(String runId, String checkpoint, int episodes, long seed) {
        RunConfig config = readConfig(runId);
        Path dir;
        if (checkpoint == null || checkpoint.isBlank()) {
            dir = Checkpoints.newestIntact(config.runDirectory(), true, (d, why) -> LOG.warn("run {}: damaged checkpoint {} skipped: {}", runId, d.getFileName(), why))
                    .map(Checkpoints.Checkpoint::directory)
                    .orElseThrow(() -> new NotFoundException("run " + runId + " has no intact checkpoint yet"));
        } else {
            Path checkpoints = new RunDirectory(config.runDirectory()).checkpoints();
            dir = checkpoints.resolve(checkpoint).normalize();
            if (!dir.startsWith(checkpoints) || !Files.isRegularFile(dir.resolve(TrainingRun.CHECKPOINT_INFO))) {
                throw new NotFoundException("run " + runId + " has no complete checkpoint '" + checkpoint + "'; checkpoints: "
                        + checkpointNames(config.runDirectory()));
            }
            try {
                Checkpoints.read(dir, true);
            } catch (IOException e) {
                throw new IllegalStateException("checkpoint " + e.getMessage(), e);
            }
        }
        Properties info = readCheckpointInfo(dir);
        // The agent version that wrote the checkpoint, when it is still deployed; else the highest.
        String writer = info.getProperty("agent", config.agentBaseName());
        String writerVersion = info.getProperty("version");
        FactoryHandle factory = host.factories().stream()
                .filter(h -> h.agentName().equals(writer) && h.version().equals(writerVersion)).findFirst()
                .orElseGet(() -> findFactory(writer));
        int n = Math.max(1, Math.min(episodes, config.numEnvs()));
        try (VectorEnv env = envs.create(config.envId(), n, config.envOptions())) {
            try {
                List<EpisodeSummary> played = CheckpointEvaluation.play(factory, config.preset(), config.agentOverrides(), env, dir,
                        episodes, seed, config.device(), config.runDirectory(), host.bundleContext());
                return new EvaluationResult(factory.label(), dir.getFileName().toString(),
                        played.stream().map(EpisodeSummary::episodeReturn).toList());
            } catch (IncompatibleCheckpointException e) {
                throw new IllegalStateException(factory.label() + " cannot load " + dir.getFileName() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
            }
        }
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

    /** The best factory for {@code name} or exactly {@code name@version}. */
    FactoryHandle findFactory(String selector) {
        if (selector == null || selector.isBlank()) {
            throw new ConfigException("an agent name is required; available: " + availableAgents());
        }
        int at = selector.indexOf('@');
        String name = at < 0 ? selector : selector.substring(0, at);
        String version = at < 0 ? null : selector.substring(at + 1);
        Optional<FactoryHandle> found = host.awaitFactory(name, Duration.ofSeconds(10));
        if (version != null) {
            found = host.factories().stream().filter(h -> h.agentName().equals(name) && h.version().equals(version)).findFirst();
        }
        return found.orElseThrow(() -> new ConfigException("no deployed plugin offers agent '" + selector + "'; available: "
                + availableAgents() + pluginErrors()));
    }

    private String availableAgents() {
        String list = host.factories().stream().map(FactoryHandle::label).distinct().collect(Collectors.joining(", "));
        return list.isEmpty() ? "none (./worldgate build deploys the bundled plugins)" : list;
    }

    private String pluginErrors() {
        String failed = host.plugins().stream().filter(p -> p.error() != null)
                .map(p -> "\n  " + p.file() + ": " + p.error()).collect(Collectors.joining());
        return failed.isEmpty() ? "" : "\nplugins with errors:" + failed;
    }

    private void checkEnvFamily(String envId) {
        int colon = envId.indexOf(':');
        String family = colon < 0 ? "" : envId.substring(0, colon);
        List<String> families = envs.families().stream().map(f -> f.family()).toList();
        if (!families.contains(family)) {
            throw new IllegalArgumentException("unknown environment '" + envId + "'; ids are family:name, families: "
                    + String.join(", ", families));
        }
    }

    private static String checkRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("'" + runId + "' is not a run id (letters, digits, '.', '_', '-')");
        }
        return runId;
    }

    private String newRunId(String agent, String env) {
        String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + (agent + "-" + env).replaceAll("[^A-Za-z0-9]+", "-");
        synchronized (runs) {
            String id = base;
            for (int i = 2; runs.containsKey(id) || Files.exists(runsDir.resolve(id)); i++) {
                id = base + "-" + i;
            }
            try {
                Files.createDirectories(runsDir.resolve(id));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create run directory: " + e.getMessage(), e);
            }
            return id;
        }
    }

    private void writeConfig(RunConfig config, AgentConfig resolved) {
        try {
            new RunDirectory(config.runDirectory()).writeConfig(config, resolved);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run config: " + e.getMessage(), e);
        }
    }

    RunConfig readConfig(String runId) {
        RunDirectory dir = new RunDirectory(runsDir.resolve(checkRunId(runId)));
        if (!RunDirectory.isRun(dir.root())) {
            throw new NotFoundException("no run '" + runId + "' in " + runsDir);
        }
        try {
            return dir.readConfig();
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalStateException("run " + runId + " has an unreadable " + RunDirectory.CONFIG_FILE + ": " + why, e);
        }
    }

    /** The highest-numbered checkpoint whose seal is intact (its files are not checked: a quick look). */
    static Optional<Path> latestCheckpoint(Path runDir) {
        return Checkpoints.newestIntact(runDir, false, (d, why) -> {}).map(Checkpoints.Checkpoint::directory);
    }

    private static List<String> checkpointNames(Path runDir) {
        try (Stream<Path> all = Files.list(new RunDirectory(runDir).checkpoints())) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Properties readCheckpointInfo(Path checkpoint) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(checkpoint.resolve(TrainingRun.CHECKPOINT_INFO))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + checkpoint + ": " + e.getMessage(), e);
        }
        return p;
    }

    /**
     * The stored status of the run directory {@code id}, or a {@link RunState#DAMAGED} one that says
     * what is wrong, so that one broken directory does not hide the others.
     */
    private RunStatus storedOrDamaged(String id) {
        if (!RUN_ID.matcher(id).matches()) {
            return damaged(id, "the directory name is not a run id (letters, digits, '.', '_', '-')");
        }
        try {
            if (LearnerRun.isLearnerRun(runsDir.resolve(id))) {
                return LearnerRun.storedStatus(runsDir.resolve(id));
            }
            return storedStatus(id);
        } catch (RuntimeException e) {
            LOG.warn("run directory {} is damaged: {}", id, e.getMessage());
            return damaged(id, e.getMessage());
        }
    }

    private static RunStatus damaged(String id, String why) {
        return new RunStatus(id, RunState.DAMAGED, why, null, 0, 0, 0, Double.NaN, 0, 0);
    }

    private RunStatus storedStatus(String runId) {
        RunConfig config = readConfig(runId);
        try {
            Optional<RunDirectory.StoredStatus> stored = new RunDirectory(config.runDirectory()).readStatus();
            if (stored.isPresent()) {
                RunDirectory.StoredStatus s = stored.get();
                RunState state = s.state();
                String message = s.message();
                long step = s.step();
                if (!state.isTerminal()) {
                    // It was running when its gateway went away without a word: a crash or kill -9.
                    state = RunState.STOPPED;
                    Optional<Path> checkpoint = latestCheckpoint(config.runDirectory());
                    long checkpointStep = checkpoint.map(c -> Long.parseLong(readCheckpointInfo(c).getProperty("step", "0").trim())).orElse(0L);
                    // status.json is written every few seconds; a checkpoint may be newer.
                    step = Math.max(step, checkpointStep);
                    message = "not running (its gateway ended without stopping it); resume continues from "
                            + checkpoint.map(c -> "step " + checkpointStep + " (" + c.getFileName() + ")").orElse("the start (no checkpoint)");
                }
                return new RunStatus(runId, state, message, s.agent(), step, config.totalSteps(), s.episodes(), Double.NaN, 0,
                        s.updates());
            }
        } catch (IOException e) {
            LOG.warn("unreadable status of run {}: {}", runId, e.toString());
        }
        return new RunStatus(runId, RunState.STOPPED, "not loaded", null, 0, config.totalSteps(), 0, Double.NaN, 0, 0);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Keeps status.json current: at every event (checkpoints, swaps, pauses) and at the end. */
    private static final class StatusFileWriter implements RunListener {
        private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
        private final RunDirectory dir;
        private long lastWrite;
        private String lastEvent = "";

        StatusFileWriter(RunConfig config) {
            this.dir = new RunDirectory(config.runDirectory());
        }

        @Override
        public synchronized void onEvent(RunStatus s, String event) {
            lastEvent = event;
            write(s);
        }

        /** Also while nothing happens but steps, so a crash leaves a recent step count behind. */
        @Override
        public synchronized void onProgress(RunStatus s) {
            if (System.nanoTime() - lastWrite > PROGRESS_EVERY_NANOS || s.state().isTerminal()) {
                write(s);
            }
        }

        private void write(RunStatus s) {
            lastWrite = System.nanoTime();
            try {
                dir.writeStatus(s, lastEvent);
            } catch (IOException e) {
                LOG.warn("cannot write {}: {}", dir.statusFile(), e.toString());
            }
        }
    }

    /** Runs known in this gateway, by id; for the service. */
    public List<TrainingRun> loaded() {
        return new ArrayList<>(runs.values());
    }
}
