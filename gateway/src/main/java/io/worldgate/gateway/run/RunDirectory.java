package io.worldgate.gateway.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.gateway.run.internal.experience.DiskExperience;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The layout of a run's directory, and the one place that writes and reads its documents:
 * {@code config.json} (what was asked, resolved; the agent a swap moved to), {@code status.json}
 * (state and step, for a run no gateway has loaded), {@code checkpoints/} ({@link Checkpoints}) and
 * {@code videos/}; a learner run ({@link #KIND_LEARNER}) has its own config in config.json and,
 * while it runs, a {@value #SOURCE_SNAPSHOT} folder. Documents are replaced through a temp file, so a reader never sees half of one.
 */
public final class RunDirectory {
    public static final String CONFIG_FILE = "config.json";
    public static final String STATUS_FILE = "status.json";
    public static final String VIDEOS = "videos";
    /** config.json's {@code kind} for a learner run; an agent's run has no kind. */
    public static final String KIND_LEARNER = "learner";
    /** The folder of a learner run that holds its snapshot of the source run's experience, while it runs. */
    public static final String SOURCE_SNAPSHOT = "source-experience";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();
    /** What a run id is: the name of its directory; no separators, so no way out of the runs directory. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Room kept after a new id's words for the number that makes it unique ({@code -NNN}). */
    private static final int NEW_ID_BASE_LENGTH = 110;

    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    /** Whether {@code name} is a run id (letters, digits, '.', '_', '-', at most 128). */
    public static boolean isRunId(String name) {
        return name != null && RUN_ID.matcher(name).matches();
    }

    /**
     * @return {@code runId}
     * @throws IllegalArgumentException unless {@code runId} is a run id (letters, digits, '.', '_', '-')
     */
    public static String checkRunId(String runId) {
        if (!isRunId(runId)) {
            throw new IllegalArgumentException("'" + runId + "' is not a run id (letters, digits, '.', '_', '-')");
        }
        return runId;
    }

    /**
     * Creates the directory of a new run under {@code runsDir} and returns its id: the time, then
     * {@code words} (characters a run id cannot hold become '-', and the whole is cut to leave
     * room for a number), numbered on ({@code -2}, {@code -3}, ...) past ids that {@code taken}
     * names or another process claimed first. Two processes never get the same id: the directory
     * is created, not merely looked for.
     */
    public static String claimNewRunId(Path runsDir, String words, Predicate<String> taken) {
        String base = (LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + words).replaceAll("[^A-Za-z0-9._-]+", "-");
        base = base.substring(0, Math.min(base.length(), NEW_ID_BASE_LENGTH));
        try {
            Files.createDirectories(runsDir);
            for (int i = 1; ; i++) {
                String id = i == 1 ? base : base + "-" + i;
                if (taken.test(id)) {
                    continue;
                }
                try {
                    Files.createDirectory(runsDir.resolve(id));
                    return checkRunId(id);
                } catch (FileAlreadyExistsException claimed) {
                    // another run took this one first: try the next number
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + runsDir + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code dir} holds a run (it has a config.json, readable or not). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    public Path root() {
        return root;
    }

    public Path configFile() {
        return root.resolve(CONFIG_FILE);
    }

    public Path statusFile() {
        return root.resolve(STATUS_FILE);
    }

    public Path checkpoints() {
        return root.resolve(Checkpoints.DIRECTORY);
    }

    /**
     * Whether a process (this one or another) has the run's experience open: the run is alive
     * there, whatever its status file last said.
     */
    public boolean isOpen() throws IOException {
        return DiskExperience.isOpen(root.resolve(DiskExperience.DIRECTORY));
    }

    /** Where the video of the evaluation at {@code step} goes. */
    public Path evaluationVideo(long step) {
        return root.resolve(VIDEOS).resolve("eval-step" + step + ".gif");
    }

    /** Writes config.json: the run's config and the agent config it resolved to. */
    public void writeConfig(RunConfig config, AgentConfig resolved) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", config);
        doc.put("agent_config", resolved.asMap());
        replace(configFile(), JSON.writeValueAsString(doc));
    }

    /**
     * The run's config from config.json, with this directory as its run directory (the directory
     * may have moved since it was written).
     *
     * @throws IOException if it is missing, not JSON, or has no {@code run} object
     */
    public RunConfig readConfig() throws IOException {
        JsonNode doc = JSON.readTree(configFile().toFile());
        if (doc != null && KIND_LEARNER.equals(doc.path("kind").asText())) {
            throw new IOException("it is a learner run, not an agent's ('worldgate resume' continues it in-process)");
        }
        RunConfig stored = doc == null || !doc.hasNonNull("run") ? null : JSON.treeToValue(doc.get("run"), RunConfig.class);
        if (stored == null) {
            throw new IOException("no \"run\" object");
        }
        return stored.withRunDirectory(root);
    }

    /** Whether config.json says this is a learner run (false if it cannot be read). */
    public boolean isLearnerRun() {
        try {
            JsonNode doc = JSON.readTree(configFile().toFile());
            return doc != null && KIND_LEARNER.equals(doc.path("kind").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Where a learner run links the source run's experience while it runs. */
    public Path sourceSnapshot() {
        return root.resolve(SOURCE_SNAPSHOT);
    }

    /** Writes config.json of a learner run: its kind, its config and the learner config it resolved to. */
    public void writeLearnerConfig(LearnerRunConfig config, AgentConfig resolved) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", KIND_LEARNER);
        doc.put("learner_run", config);
        doc.put("learner_config", resolved.asMap());
        replace(configFile(), JSON.writeValueAsString(doc));
    }

    /**
     * A learner run's config from config.json, with this directory as its run directory.
     *
     * @throws IOException if it is missing, not JSON, or not a learner run's
     */
    public LearnerRunConfig readLearnerConfig() throws IOException {
        JsonNode doc = JSON.readTree(configFile().toFile());
        if (doc == null || !KIND_LEARNER.equals(doc.path("kind").asText()) || !doc.hasNonNull("learner_run")) {
            throw new IOException("not a learner run");
        }
        return JSON.treeToValue(doc.get("learner_run"), LearnerRunConfig.class).withRunDirectory(root);
    }

    /** Records in config.json that the run goes on with {@code selector} ({@code name} or {@code name@version}). */
    public void recordAgent(String selector) throws IOException {
        JsonNode doc = JSON.readTree(configFile().toFile());
        ((ObjectNode) doc.get("run")).put("agentName", selector);
        replace(configFile(), JSON.writeValueAsString(doc));
    }

    /** Writes status.json from {@code s}; {@code lastEvent} is for people. */
    public void writeStatus(RunStatus s, String lastEvent) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("state", s.state().name());
        doc.put("message", s.message());
        doc.put("agent", s.agent());
        doc.put("step", s.step());
        doc.put("episodes", s.episodes());
        doc.put("updates", s.updates());
        doc.put("worker_restarts", s.workerRestarts());
        doc.put("cut_episodes", s.cutEpisodes());
        doc.put("last_event", lastEvent);
        replace(statusFile(), JSON.writeValueAsString(doc));
    }

    /**
     * What status.json says, or empty when there is none.
     *
     * @throws IOException if it cannot be read or its state is unknown
     */
    public Optional<StoredStatus> readStatus() throws IOException {
        if (!Files.isRegularFile(statusFile())) {
            return Optional.empty();
        }
        JsonNode s = JSON.readTree(statusFile().toFile());
        try {
            return Optional.of(new StoredStatus(RunState.valueOf(s.path("state").asText("STOPPED")), s.path("message").asText(""),
                    s.path("agent").asText(null), s.path("step").asLong(), s.path("episodes").asLong(), s.path("updates").asLong()));
        } catch (IllegalArgumentException e) {
            throw new IOException("unknown state in " + STATUS_FILE + ": " + e.getMessage(), e);
        }
    }

    /** What status.json holds: the run's state when it was last written. */
    public record StoredStatus(RunState state, String message, String agent, long step, long episodes, long updates) {}

    /** Replaces {@code file} by {@code text} through a temp file of its own, so concurrent writers never mix. */
    private static void replace(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
