package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.Agent;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.RunEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run's checkpoints: {@code checkpoints/NNNN-stepS-agent-version/} with the agent's own
 * files, sealed by {@link Checkpoints#seal} (written last, with the checksums), then prunes all
 * but the newest intact ones, never the one the run resumed from. Used from the run's thread only.
 */
public final class CheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final Path runDirectory;
    private final int keep;
    private final Path resumedFrom;
    private final Consumer<RunEvent> events;
    private int count;
    private volatile Path last;
    private long lastStep = -1;
    private String lastAgent;

    /**
     * @param resumedFrom the checkpoint the run resumed from (never pruned), or null
     * @param written checkpoints the run has written before (numbering goes on after them)
     * @param events where to tell a checkpoint written, or a failed write or prune, for the run's events
     */
    public CheckpointWriter(Path runDirectory, int keep, Path resumedFrom, int written, Consumer<RunEvent> events) {
        this.runDirectory = runDirectory;
        this.keep = keep;
        this.resumedFrom = resumedFrom;
        this.count = written;
        this.last = resumedFrom;
        this.events = events;
    }

    /** The newest checkpoint written or resumed from, if any. */
    public Optional<Path> last() {
        return Optional.ofNullable(last);
    }

    /**
     * Saves {@code agent} of {@code h} at {@code step}, after {@code flush} made the run's other
     * files durable; returns the checkpoint, or empty when the save failed (told to the run). The
     * same agent at the same step is saved once.
     *
     * @param facts the run's facts to seal beside the agent's (episodes, reason...)
     */
    public Optional<Path> write(FactoryHandle h, Agent agent, long step, Map<String, String> facts, IoAction flush) {
        return write(h.agentName(), h.version(), h.symbolicName(), agent::save, step, facts, flush);
    }

    /**
     * As {@link #write(FactoryHandle, Agent, long, Map, IoAction)} for any plugin that saves
     * itself, such as a learner: {@code name} of {@code version} from {@code bundle}, whose
     * {@code save} writes its files into the new checkpoint directory.
     */
    public Optional<Path> write(String name, String version, String bundle, Saver save, long step, Map<String, String> facts,
            IoAction flush) {
        String label = name + "@" + version;
        if (last != null && lastStep == step && label.equals(lastAgent)) {
            return Optional.of(last); // this plugin's state at this step is on disk already
        }
        Path dir = runDirectory.resolve(Checkpoints.DIRECTORY)
                .resolve(String.format("%04d-step%d-%s-%s", ++count, step, name, version));
        try {
            flush.run();
            Files.createDirectories(dir);
            save.save(dir);
            Map<String, String> sealed = new LinkedHashMap<>();
            sealed.put("agent", name);
            sealed.put("version", version);
            sealed.put("bundle", bundle);
            sealed.put("step", Long.toString(step));
            sealed.putAll(facts);
            // Sealed last, with the checksums of the plugin's files: a checkpoint without a valid
            // seal is incomplete or damaged and never resumed from.
            Checkpoints.seal(dir, sealed);
            last = dir;
            lastStep = step;
            lastAgent = label;
        } catch (IOException | RuntimeException e) {
            LOG.warn("checkpoint of {} failed: {}", label, AgentSlot.describe(e));
            events.accept(new RunEvent.CheckpointFailed(label, step, false, AgentSlot.describe(e)));
            return Optional.empty();
        }
        try {
            List<Path> deleted = Checkpoints.prune(runDirectory, keep, List.of(dir, resumedFrom != null ? resumedFrom : dir));
            if (!deleted.isEmpty()) {
                LOG.debug("deleted old checkpoints {}", deleted);
            }
        } catch (IOException | RuntimeException e) {
            events.accept(new RunEvent.CheckpointFailed(label, step, true, AgentSlot.describe(e)));
        }
        events.accept(new RunEvent.CheckpointWritten(label, step, dir.getFileName().toString(), facts.getOrDefault("reason", "")));
        return Optional.of(dir);
    }

    /** Writes a plugin's files into a checkpoint directory, which exists and is empty. */
    @FunctionalInterface
    public interface Saver {
        void save(Path directory) throws IOException;
    }

    /** What must be durable before a checkpoint is written (the experience, the metrics). */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }
}
