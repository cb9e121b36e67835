package io.worldgate.gateway.bridge.internal.py4j;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.ExperienceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One plugin agent driven from Python through the Py4J gateway. Python owns the environment loop:
 * {@code observe(first)}, then repeatedly {@code act(obs)}, step its env, {@code observe(next)};
 * {@code train(k)} whenever it likes. The session keeps the experience the agent learns from,
 * exactly as a training run would (observations, then the actions chosen at them).
 *
 * <p>Methods take and return JSON text (see {@link JsonTensors}); Java exceptions reach Python as
 * {@code Py4JJavaError} with their message.
 */
public final class AgentSession implements AutoCloseable {
    private final String agentLabel;
    private final EnvSpec spec;
    private final Agent agent;
    private final ExperienceStore experience;
    private final SessionMetrics sink;
    private final Map<String, Double> lastMetrics = new TreeMap<>();
    private final long[] episodeIds;
    private final long[] nextEpisodeId = {0};
    private final Runnable onClose;
    private Tensor pendingActions;
    private boolean observedAny;
    private boolean closed;

    AgentSession(String agentLabel, EnvSpec spec, Agent agent, ExperienceStore experience, SessionMetrics sink,
            Runnable onClose) {
        this.agentLabel = agentLabel;
        this.spec = spec;
        this.agent = agent;
        this.experience = experience;
        this.sink = sink;
        this.episodeIds = new long[spec.numEnvs()];
        this.onClose = onClose;
    }

    /** {@code name@version} of the plugin agent. */
    public String agent() {
        return agentLabel;
    }

    /** The env spec the agent was created for, as JSON. */
    public String spec() {
        return JsonTensors.write(JsonTensors.specJson(spec));
    }

    /** Actions for a step batch (JSON), exploring; returns the actions tensor as JSON. */
    public String act(String stepJson) {
        return act(stepJson, true);
    }

    /** Actions for a step batch (JSON); {@code explore} false asks for the agent's best action. */
    public synchronized String act(String stepJson, boolean explore) {
        ensureOpen();
        StepBatch batch = JsonTensors.stepBatch(JsonTensors.parse(stepJson, "the step"), spec, episodeIds.clone(),
                new long[] {nextEpisodeId[0]}, !observedAny);
        Tensor actions = agent.act(batch, explore ? ActMode.EXPLORE : ActMode.EVAL);
        Optional<String> bad = spec.actionSpace().validateBatch(actions, spec.numEnvs());
        if (bad.isPresent()) {
            throw new IllegalStateException(agentLabel + " returned invalid actions: " + bad.get());
        }
        pendingActions = actions.copy();
        return JsonTensors.write(JsonTensors.tensorJson(actions));
    }

    /**
     * Appends a step batch (the env's answer) to the experience, after the actions of the last
     * {@link #act} (which were taken at the previous observations). Returns {@code {"steps", "episodes"}}.
     */
    public synchronized String observe(String stepJson) {
        ensureOpen();
        StepBatch batch = JsonTensors.stepBatch(JsonTensors.parse(stepJson, "the step"), spec, episodeIds, nextEpisodeId,
                !observedAny);
        if (pendingActions != null && observedAny) {
            experience.appendActions(pendingActions);
        }
        pendingActions = null;
        experience.appendObservations(batch);
        observedAny = true;
        ObjectNode o = JsonTensors.JSON.createObjectNode();
        o.put("steps", experience.numSteps());
        o.put("episodes", experience.numEpisodes());
        return o.toString();
    }

    /** Like {@link #observe} with explicit actions (JSON tensor) taken at the previous observations. */
    public synchronized String observeWithActions(String actionsJson, String stepJson) {
        ensureOpen();
        pendingActions = JsonTensors.tensor(JsonTensors.parse(actionsJson, "the actions"), "actions");
        spec.actionSpace().validateBatch(pendingActions, spec.numEnvs()).ifPresent(p -> {
            throw new IllegalArgumentException("invalid actions: " + p);
        });
        return observe(stepJson);
    }

    /** Runs up to {@code updates} training updates; returns the agent's metrics as JSON. */
    public synchronized String train(int updates) {
        ensureOpen();
        Map<String, Double> m = agent.train(updates);
        lastMetrics.putAll(m);
        return JsonTensors.write(new TreeMap<>(m));
    }

    /** Writes a checkpoint into {@code directory} (created; must be empty); returns its path. */
    public synchronized String save(String directory) throws IOException {
        ensureOpen();
        Path dir = Path.of(directory).toAbsolutePath();
        Files.createDirectories(dir);
        try (var entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(dir + " is not empty; save into a new directory");
            }
        }
        agent.save(dir);
        return dir.toString();
    }

    /** Loads a checkpoint written by {@link #save}. */
    public synchronized void load(String directory) throws IOException {
        ensureOpen();
        try {
            agent.load(Path.of(directory));
        } catch (io.worldgate.api.agent.IncompatibleCheckpointException e) {
            throw new IllegalArgumentException("the checkpoint in " + directory + " does not fit " + agentLabel + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Steps and episodes in the experience, the last value of every metric (returned by
     * {@code train} or reported through the agent's metrics sink), the files the agent reported
     * ({@code name: absolute path}) and the last image or video of each tag
     * ({@code tag: {kind, shape, fps}}), as JSON.
     */
    public synchronized String status() {
        ObjectNode o = JsonTensors.JSON.createObjectNode();
        o.put("agent", agentLabel);
        o.put("steps", experience.numSteps());
        o.put("episodes", experience.numEpisodes());
        ObjectNode m = o.putObject("metrics");
        Map<String, Double> all = new TreeMap<>(lastMetrics);
        all.putAll(sink.scalars());
        all.forEach(m::put);
        ObjectNode f = o.putObject("files");
        sink.files().forEach(f::put);
        ObjectNode media = o.putObject("media");
        sink.media().forEach((tag, shown) -> {
            ObjectNode entry = media.putObject(tag);
            entry.put("kind", shown.kind());
            ArrayNode shape = entry.putArray("shape");
            for (int d : shown.shape()) {
                shape.add(d);
            }
            if (!Double.isNaN(shown.fps())) {
                entry.put("fps", shown.fps());
            }
        });
        return o.toString();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the agent session is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                agent.close();
            } finally {
                onClose.run();
            }
        }
    }

}
