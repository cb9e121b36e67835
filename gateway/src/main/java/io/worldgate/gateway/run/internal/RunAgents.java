package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.AgentCreation;
import io.worldgate.gateway.run.RunEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a training run's agents come and go, as its {@link AgentSlot} asks: an agent is made with
 * the run's context and loads the run's latest checkpoint (one it cannot read is told, and the
 * agent starts fresh, after training on the run's experience: an agent of another family); it is
 * retired with a checkpoint of its own. Remembers the last agent made,
 * which the run's status names once no agent is in use.
 */
public final class RunAgents implements AgentSlot.Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RunAgents.class);

    /** What the agents need of their run. */
    public interface Run {
        long step();

        /** The spec of the run's environments, which an agent is made for. */
        EnvSpec spec();

        /** What a new agent is lent; it looks other plugins' services up in {@code services}. */
        AgentContext context(ServiceBindings services);

        /** The checkpoint a new agent loads, if the run has one. */
        Optional<Path> lastCheckpoint();

        /** Writes a checkpoint of {@code agent}, made from {@code handle}, for {@code why}. */
        void checkpoint(FactoryHandle handle, Agent agent, String why);

        /**
         * Trains {@code agent}, made from {@code handle}, on the run's experience before it acts:
         * it could not take over the run's checkpoint (an agent of another family swapped in).
         */
        void warmUp(FactoryHandle handle, Agent agent);

        /** No agent can be made now; {@code why} says what the slot waits for. */
        void waiting(RunEvent.RunPaused why);

        void event(RunEvent event);
    }

    private final String runId;
    private final String preset;
    private final Map<String, String> overrides;
    private final Run run;
    private volatile String lastLabel;
    private volatile WeakReference<ClassLoader> classLoader = new WeakReference<>(null);

    /** Agents of run {@code runId}, configured by {@code preset} (null: the agent's default) and {@code overrides}. */
    public RunAgents(String runId, String preset, Map<String, String> overrides, Run run) {
        this.runId = runId;
        this.preset = preset;
        this.overrides = overrides;
        this.run = run;
    }

    @Override
    public AgentSlot.Created create(FactoryHandle h, ServiceBindings services) {
        Agent agent = AgentCreation.create(h, run.spec(), preset, overrides, run.context(services));
        classLoader = new WeakReference<>(agent.getClass().getClassLoader());
        lastLabel = h.label();
        long step = run.step();
        Path checkpoint = run.lastCheckpoint().orElse(null);
        if (checkpoint == null) {
            run.event(new RunEvent.AgentCreated(h.label(), step, "", false, ""));
            return new AgentSlot.Created(agent, false);
        }
        String name = checkpoint.getFileName().toString();
        try {
            agent.load(checkpoint);
            run.event(new RunEvent.AgentCreated(h.label(), step, name, true, ""));
            return new AgentSlot.Created(agent, true);
        } catch (IncompatibleCheckpointException e) {
            LOG.warn("run {}: agent {} starts fresh: checkpoint {} is incompatible ({})", runId, h.label(), name, e.getMessage());
            run.event(new RunEvent.AgentCreated(h.label(), step, name, false, String.valueOf(e.getMessage())));
            try {
                run.warmUp(h, agent);
            } catch (RuntimeException | Error failed) {
                AgentSlot.closeQuietly(agent);
                throw failed;
            }
            return new AgentSlot.Created(agent, false);
        } catch (IOException e) {
            AgentSlot.closeQuietly(agent);
            throw new UncheckedIOException("cannot read checkpoint " + checkpoint + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // the slot never gets this agent, so nobody else would free what it holds
            AgentSlot.closeQuietly(agent);
            throw e;
        }
    }

    @Override
    public void retire(FactoryHandle h, Agent agent, String why) {
        run.checkpoint(h, agent, why);
        try {
            agent.close();
        } catch (RuntimeException e) {
            LOG.warn("closing {} failed: {}", h.label(), AgentSlot.describe(e));
        }
        run.event(new RunEvent.AgentRetired(h.label(), run.step(), why));
    }

    @Override
    public void waiting(RunEvent.RunPaused why) {
        run.waiting(why);
    }

    /** The last agent made, as {@code name@version}; null before the first. */
    public String lastLabel() {
        return lastLabel;
    }

    /** A weak reference to the class loader of the last agent made, to check that a replaced plugin's can be collected. */
    public WeakReference<ClassLoader> classLoader() {
        return classLoader;
    }
}
