package io.worldgate.gateway.service.internal;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.LearnerRun;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.service.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs directory of a gateway as the runs found there, whether loaded or not: their ids, the
 * creation of a new run's directory, and what their config, status and checkpoints say. A run id
 * names a directory, so every id from outside is checked before it becomes a path.
 */
public final class StoredRuns {
    private static final Logger LOG = LoggerFactory.getLogger(StoredRuns.class);
    private final Path runsDir;

    public StoredRuns(Path runsDir) {
        this.runsDir = runsDir;
    }

    /**
     * @throws IllegalArgumentException unless {@code runId} is a run id (letters, digits, '.', '_', '-')
     */
    public static String checkRunId(String runId) {
        return RunDirectory.checkRunId(runId);
    }

    /** Whether the runs directory has a directory of that name (a run that may be resumed). */
    public boolean exists(String runId) {
        return Files.isDirectory(runsDir.resolve(runId));
    }

    /**
     * Creates the directory of a new run and returns its id: the time, agent and env, numbered on
     * when taken by a directory or by {@code loaded}.
     */
    public synchronized String newRunId(String agent, String env, Predicate<String> loaded) {
        return RunDirectory.claimNewRunId(runsDir, agent + "-" + env, loaded);
    }

    public void writeConfig(RunConfig config, AgentConfig resolved) {
        try {
            new RunDirectory(config.runDirectory()).writeConfig(config, resolved);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run config: " + e.getMessage(), e);
        }
    }

    /**
     * @throws NotFoundException if there is no such run
     * @throws IllegalStateException if its config cannot be read
     */
    public RunConfig readConfig(String runId) {
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

    /** The stored statuses of the runs on disk, but those in {@code skip}, in order of their ids. */
    public List<RunStatus> statusesExcept(Set<String> skip) {
        List<RunStatus> out = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(runsDir)) {
            dirs.filter(RunDirectory::isRun).sorted().forEach(d -> {
                String id = d.getFileName().toString();
                if (!skip.contains(id)) {
                    out.add(storedOrDamaged(id));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runsDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The highest-numbered checkpoint whose seal is intact (its files are not checked: a quick look). */
    public static Optional<Path> latestCheckpoint(Path runDir) {
        return Checkpoints.newestIntact(runDir, false, (d, why) -> {}).map(Checkpoints.Checkpoint::directory);
    }

    /** The names of a run's checkpoint directories, for messages; empty when there are none. */
    public static List<String> checkpointNames(Path runDir) {
        try (Stream<Path> all = Files.list(new RunDirectory(runDir).checkpoints())) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** What a checkpoint says of itself: the agent, its version, the step. */
    public static Properties readCheckpointInfo(Path checkpoint) {
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
        if (!RunDirectory.isRunId(id)) {
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
            RunDirectory dir = new RunDirectory(config.runDirectory());
            Optional<RunDirectory.StoredStatus> stored = dir.readStatus();
            if (stored.isPresent()) {
                RunDirectory.StoredStatus s = stored.get();
                RunState state = s.state();
                String message = s.message();
                long step = s.step();
                if (!state.isTerminal() && dir.isOpen()) {
                    message = "running in another process";
                } else if (!state.isTerminal()) {
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
}
