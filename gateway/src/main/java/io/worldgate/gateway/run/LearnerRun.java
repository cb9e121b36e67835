package io.worldgate.gateway.run;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.learner.Learner;
import io.worldgate.gateway.host.LearnerFactories;
import io.worldgate.gateway.host.LearnerHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.internal.AgentSlot;
import io.worldgate.gateway.run.internal.CheckpointWriter;
import io.worldgate.gateway.run.internal.HostLearnerContext;
import io.worldgate.gateway.run.internal.PluginMetricsSink;
import io.worldgate.gateway.run.internal.ReadOnlyExperience;
import io.worldgate.gateway.run.internal.experience.DiskExperience;
import io.worldgate.gateway.run.internal.experience.ExperienceSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A learner run: a learner plugin ({@link io.worldgate.api.learner}) trained on the stored
 * experience of another run, in a run directory of its own. It reads a snapshot of the source
 * run's experience ({@link ExperienceSnapshot}: the source is never changed and may go on running),
 * calls {@link Learner#update} as often as asked on the calling thread, writes the update metrics
 * to {@code metrics.jsonl} and TensorBoard at the update's number, checkpoints every so many
 * updates, when stopped and at the end (sealed as an agent's checkpoints are), and keeps
 * {@code status.json} current so that {@code runs list} shows it. {@link #resume} goes on from the
 * newest intact checkpoint. When the learner's plugin goes away the run checkpoints and stops;
 * resuming it takes the highest version deployed then.
 */
public final class LearnerRun {
    private static final Logger LOG = LoggerFactory.getLogger(LearnerRun.class);
    private static final long PROGRESS_EVERY_NANOS = 200_000_000L;

    /**
     * What a user asks for a new learner run.
     *
     * @param learner the learner's name
     * @param sourceRun the run whose experience it learns from
     */
    public record Request(String learner, String preset, Map<String, String> overrides, String sourceRun, long updates,
            long seed, String device, long checkpointEvery, int keepCheckpoints) {}

    private final LearnerRunConfig config;
    private final AgentConfig learnerConfig;
    private final LearnerHandle handle;
    private final PluginHost host;
    private final RunDirectory dir;
    private final RunConfig source;
    private final Path sourceExperience;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile String stopReason;
    private volatile long updates;
    /** The number what the learner reports is stamped with: the update in progress, else the last one done. */
    private volatile long stamp;
    private volatile RunState state = RunState.STARTING;
    private volatile String message = "";

    private LearnerRun(LearnerRunConfig config, AgentConfig learnerConfig, LearnerHandle handle, PluginHost host,
            RunConfig source, Path sourceExperience) {
        this.config = config;
        this.learnerConfig = learnerConfig;
        this.handle = handle;
        this.host = host;
        this.dir = new RunDirectory(config.runDirectory());
        this.source = source;
        this.sourceExperience = sourceExperience;
    }

    /**
     * Checks a request and makes the new run's directory and config; {@link #run} then runs it.
     *
     * @throws IllegalArgumentException for an unknown learner, a source run that is missing or has
     *     no stored experience, or experience the learner cannot use (its descriptor's observation keys)
     * @throws io.worldgate.api.agent.ConfigException for a bad preset or {@code --set}
     */
    public static LearnerRun create(PluginHost host, Path runsDir, Request r) {
        LearnerHandle handle = findLearner(host, r.learner());
        RunConfig source = readSource(runsDir, r.sourceRun());
        Path experience = sourceExperience(source);
        AgentConfig resolved = handle.factory().descriptor().resolve(r.preset(), r.overrides());
        checkCompatible(handle, source, experience);
        String runId = newRunId(runsDir, r.learner(), r.sourceRun());
        LearnerRunConfig config = new LearnerRunConfig(runId, r.learner(), r.preset(), r.overrides(), r.sourceRun(), r.updates(),
                r.seed(), r.device(), r.checkpointEvery(), r.keepCheckpoints(), runsDir.resolve(runId));
        try {
            Files.createDirectories(config.runDirectory());
            new RunDirectory(config.runDirectory()).writeLearnerConfig(config, resolved);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the learner run " + runId + ": " + e.getMessage(), e);
        }
        return new LearnerRun(config, resolved, handle, host, source, experience);
    }

    /**
     * A stored learner run, to go on from its newest intact checkpoint with {@link #run}.
     *
     * @throws IllegalArgumentException if there is no such learner run, it has run all its
     *     updates, its learner is not deployed, or its source run or the source's experience is gone
     */
    public static LearnerRun resume(PluginHost host, Path runsDir, String runId) {
        RunDirectory.checkRunId(runId);
        Path runDir = runsDir.resolve(runId);
        if (!isLearnerRun(runDir)) {
            throw new IllegalArgumentException("no learner run '" + runId + "' in " + runsDir);
        }
        LearnerRunConfig config;
        try {
            config = new RunDirectory(runDir).readLearnerConfig();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("learner run " + runId + " has an unreadable " + RunDirectory.CONFIG_FILE + ": "
                    + e.getMessage(), e);
        }
        long done = Checkpoints.newestIntact(runDir, false, (d, why) -> {}).map(Checkpoints.Checkpoint::step).orElse(0L);
        if (done >= config.updates()) {
            throw new IllegalArgumentException("learner run " + runId + " has run all its " + config.updates()
                    + " updates; start another with 'learn'");
        }
        LearnerHandle handle = findLearner(host, config.learnerName());
        RunConfig source = readSource(runsDir, config.sourceRun());
        Path experience = sourceExperience(source);
        AgentConfig resolved = handle.factory().descriptor().resolve(config.preset(), config.overrides());
        checkCompatible(handle, source, experience);
        return new LearnerRun(config, resolved, handle, host, source, experience);
    }

    /** Whether {@code runDir} holds a learner run. */
    public static boolean isLearnerRun(Path runDir) {
        return RunDirectory.isRun(runDir) && new RunDirectory(runDir).isLearnerRun();
    }

    /**
     * What a stored learner run's {@code status.json} says, as a run status: the step is the number
     * of updates, the total the updates asked. A run that was running when its process ended
     * without a word is {@link RunState#STOPPED}.
     *
     * @throws IllegalStateException if its config cannot be read
     */
    public static RunStatus storedStatus(Path runDir) {
        RunDirectory d = new RunDirectory(runDir);
        String id = runDir.getFileName().toString();
        LearnerRunConfig c;
        try {
            c = d.readLearnerConfig();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("learner run " + id + " has an unreadable " + RunDirectory.CONFIG_FILE + ": "
                    + e.getMessage(), e);
        }
        try {
            Optional<RunDirectory.StoredStatus> s = d.readStatus();
            if (s.isPresent()) {
                RunState state = s.get().state();
                String message = s.get().message();
                long step = s.get().step();
                if (!state.isTerminal()) {
                    Optional<Checkpoints.Checkpoint> last = Checkpoints.newestIntact(runDir, false, (p, why) -> {});
                    step = last.map(Checkpoints.Checkpoint::step).orElse(0L);
                    state = RunState.STOPPED;
                    message = "learner run not running (its process ended without stopping it); resume continues from update "
                            + step;
                }
                return new RunStatus(id, state, message, s.get().agent(), step, c.updates(), 0, Double.NaN, 0, step);
            }
        } catch (IOException e) {
            LOG.warn("unreadable status of learner run {}: {}", id, e.toString());
        }
        return new RunStatus(id, RunState.STOPPED, "learner run from " + c.sourceRun() + ", not started", null, 0,
                c.updates(), 0, Double.NaN, 0, 0);
    }

    public LearnerRunConfig config() {
        return config;
    }

    /** The learner in use, as {@code name@version}. */
    public String learnerLabel() {
        return handle.label();
    }

    /** A snapshot of the run: the step is the number of updates done. */
    public RunStatus status() {
        return new RunStatus(config.runId(), state, message, handle.label(), updates, config.updates(), 0, Double.NaN, 0,
                updates);
    }

    /**
     * Asks the run to stop at its next update boundary; it checkpoints first. Returns at once; see
     * {@link #awaitEnd}.
     */
    public void stop() {
        stop("stopped on request");
    }

    private void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** Waits up to {@code max} for {@link #run} to return; whether it did. */
    public boolean awaitEnd(Duration max) throws InterruptedException {
        return ended.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the learner to its last update (or a stop) on this thread, telling {@code listener}
     * (progress, events, scalars), and returns the final status.
     */
    public RunStatus run(RunListener listener) {
        LearnerFactories.Listener removal = h -> {
            if (h.serviceId() == handle.serviceId()) {
                stop("the learner plugin " + h.label() + " went away; resume goes on with the highest version deployed then");
                try {
                    if (!awaitEnd(Duration.ofSeconds(60))) {
                        LOG.warn("learner run {} did not stop within 60 s of its plugin going", config.runId());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        host.learners().addListener(removal);
        try {
            return runLearner(listener);
        } finally {
            ended.countDown();
            host.learners().removeListener(removal);
        }
    }

    private RunStatus runLearner(RunListener listener) {
        Optional<Checkpoints.Checkpoint> from = Checkpoints.newestIntact(config.runDirectory(), true,
                (d, why) -> event(listener, "damaged checkpoint " + d.getFileName() + " skipped: " + why));
        long start = from.map(Checkpoints.Checkpoint::step).orElse(0L);
        updates = start;
        stamp = start;
        message = "learning from run " + config.sourceRun();
        state = RunState.RUNNING;
        CheckpointWriter checkpoints = new CheckpointWriter(config.runDirectory(), config.keepCheckpoints(),
                from.map(Checkpoints.Checkpoint::directory).orElse(null), from.map(Checkpoints.Checkpoint::number).orElse(0),
                e -> event(listener, e));
        DiskExperience experience = null;
        MetricsWriter metrics = null;
        Learner learner = null;
        try {
            ExperienceSnapshot.Opened snapshot = ExperienceSnapshot.open(sourceExperience, dir.sourceSnapshot(), source.envId(),
                    source.numEnvs());
            experience = snapshot.store();
            metrics = RunMetricsFiles.open(config.runDirectory(), config.runId(), null, start);
            MetricsWriter writer = metrics;
            PluginMetricsSink sink = new PluginMetricsSink(config.runDirectory(), writer, () -> stamp,
                    (name, value) -> writer.scalar(name, value, stamp), text -> event(listener, text));
            HostLearnerContext context = new HostLearnerContext(new ReadOnlyExperience(experience),
                    snapshot.spec().observationSpace(), sink, config.runDirectory(), config.seed(), config.device());
            learner = handle.factory().create(context, learnerConfig);
            if (from.isPresent()) {
                learner.load(from.get().directory());
                event(listener, "resumed " + handle.label() + " from " + from.get().name() + " at update " + start);
            }
            event(listener, handle.label() + " learns from run " + config.sourceRun() + " (" + experience.numSteps()
                    + " stored steps)");
            long lastProgress = 0;
            while (updates < config.updates() && stopReason == null) {
                stamp = updates + 1; // what the learner sends during update N is stamped N, as what it returns
                Map<String, Double> m = learner.update();
                updates = stamp;
                if (m != null) {
                    for (Map.Entry<String, Double> e : m.entrySet()) {
                        writer.scalar(e.getKey(), e.getValue(), updates);
                        listener.onScalar(e.getKey(), e.getValue(), updates);
                    }
                }
                if (updates % config.checkpointEvery() == 0 && updates < config.updates()) {
                    checkpoint(checkpoints, learner, writer, "interval");
                }
                if (System.nanoTime() - lastProgress > PROGRESS_EVERY_NANOS) {
                    lastProgress = System.nanoTime();
                    listener.onProgress(status());
                }
            }
            boolean done = updates >= config.updates();
            Optional<Path> last = checkpoint(checkpoints, learner, writer, done ? "end" : "stop");
            state = done ? RunState.FINISHED : RunState.STOPPED;
            message = (done ? "learned " + updates + " updates from run " + config.sourceRun() : stopReason)
                    + last.map(p -> "; checkpoint " + p.getFileName()).orElse("; no checkpoint written");
        } catch (IOException | RuntimeException | io.worldgate.api.agent.IncompatibleCheckpointException e) {
            // an incompatible checkpoint fails the run too: starting afresh at update N would be a lie
            LOG.warn("learner run {} failed", config.runId(), e);
            state = RunState.FAILED;
            message = (learner == null ? "" : "at update " + updates + ": ") + AgentSlot.describe(e);
        } finally {
            if (learner != null) {
                try {
                    learner.close();
                } catch (RuntimeException e) {
                    LOG.warn("learner close failed: {}", AgentSlot.describe(e));
                }
            }
            if (metrics != null) {
                metrics.close();
            }
            if (experience != null) {
                experience.close();
            }
            try {
                ExperienceSnapshot.deleteTree(dir.sourceSnapshot());
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", dir.sourceSnapshot(), e.toString());
            }
        }
        RunStatus end = status();
        event(listener, message);
        listener.onProgress(end);
        return end;
    }

    private Optional<Path> checkpoint(CheckpointWriter checkpoints, Learner learner, MetricsWriter metrics, String reason) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("kind", RunDirectory.KIND_LEARNER);
        facts.put("source_run", config.sourceRun());
        facts.put("reason", reason);
        return checkpoints.write(handle.name(), handle.version(), handle.symbolicName(), learner::save, updates, facts,
                metrics::flush);
    }

    private void event(RunListener listener, String text) {
        listener.onEvent(recordStatus(text), text);
    }

    /** A typed event (the checkpoint writer's), told as it is. */
    private void event(RunListener listener, RunEvent e) {
        listener.onEvent(recordStatus(e.text()), e);
    }

    /** The status now, also written to status.json with {@code lastEvent}. */
    private RunStatus recordStatus(String lastEvent) {
        RunStatus s = status();
        try {
            dir.writeStatus(s, lastEvent);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", dir.statusFile(), e.toString());
        }
        return s;
    }

    private static LearnerHandle findLearner(PluginHost host, String name) {
        return host.learners().await(host, name, Duration.ofSeconds(15)).orElseThrow(() -> {
            String known = host.learners().all().stream().map(LearnerHandle::label).distinct().collect(Collectors.joining(", "));
            return new IllegalArgumentException("no learner '" + name + "' is deployed; learners: "
                    + (known.isEmpty() ? "none" : known));
        });
    }

    private static RunConfig readSource(Path runsDir, String runId) {
        RunDirectory.checkRunId(runId);
        Path runDir = runsDir.resolve(runId);
        if (!RunDirectory.isRun(runDir)) {
            throw new IllegalArgumentException("no run '" + runId + "' in " + runsDir + " to learn from; see 'runs list --all'");
        }
        if (new RunDirectory(runDir).isLearnerRun()) {
            throw new IllegalArgumentException("run " + runId + " is a learner run: it stores no experience to learn from");
        }
        try {
            return new RunDirectory(runDir).readConfig();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("run " + runId + " has an unreadable " + RunDirectory.CONFIG_FILE + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path sourceExperience(RunConfig source) {
        Path experience = source.runDirectory().resolve(DiskExperience.DIRECTORY);
        if (!ExperienceSnapshot.hasSteps(experience)) {
            throw new IllegalArgumentException("run " + source.runId() + " has no stored experience to learn from (it took "
                    + "no steps yet, or none was written to disk)");
        }
        return experience;
    }

    private static void checkCompatible(LearnerHandle handle, RunConfig source, Path experience) {
        handle.factory().incompatibility(ExperienceSnapshot.storedObservations(experience)).ifPresent(why -> {
            throw new IllegalArgumentException("cannot learn from run " + source.runId() + ": " + why);
        });
    }

    private static String newRunId(Path runsDir, String learner, String sourceRun) {
        return RunDirectory.claimNewRunId(runsDir, learner + "-from-" + sourceRun, id -> false);
    }
}
