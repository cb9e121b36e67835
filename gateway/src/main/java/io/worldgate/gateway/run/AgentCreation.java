package io.worldgate.gateway.run;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.experience.Experience;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.internal.HostAgentContext;
import io.worldgate.gateway.run.internal.ServiceBindings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;

/**
 * The one way the gateway makes an agent, for a run, a checkpoint evaluation or a Python session:
 * the env must fit the factory, the config is resolved from the descriptor's defaults, the preset
 * and the overrides, and a factory that returns no agent is an error, not a later
 * NullPointerException.
 */
public final class AgentCreation {
    private AgentCreation() {}

    /**
     * Creates {@code h}'s agent for {@code spec} with {@code context}.
     *
     * @param preset the preset, or null (or blank) for the agent's default
     * @throws IllegalArgumentException if the agent cannot act in {@code spec} (the factory's reason)
     * @throws io.worldgate.api.agent.ConfigException for an unknown preset or key, or a bad value
     * @throws IllegalStateException if the factory returned no agent
     */
    public static Agent create(FactoryHandle h, EnvSpec spec, String preset, Map<String, String> overrides, AgentContext context) {
        Optional<String> incompatible = h.factory().incompatibility(spec);
        if (incompatible.isPresent()) {
            throw new IllegalArgumentException(h.label() + " cannot act in " + spec.id() + ": " + incompatible.get());
        }
        AgentConfig config = resolve(h, preset, overrides);
        Agent agent = h.factory().create(spec, config, context);
        if (agent == null) {
            throw new IllegalStateException(h.label() + ": create returned null");
        }
        return agent;
    }

    /** The config {@code h}'s agent gets: descriptor defaults, then {@code preset} (null or blank: none), then {@code overrides}. */
    public static AgentConfig resolve(FactoryHandle h, String preset, Map<String, String> overrides) {
        return AgentConfig.resolve(h.factory().descriptor(), preset == null || preset.isBlank() ? null : preset, overrides);
    }

    /**
     * What the host lends an agent: {@code experience}, an episode runner if any, a metrics sink, a
     * work directory, the seed and device, and other plugins' services from {@code services} (null:
     * none), bound to that one agent until {@link #releaseServices}.
     */
    public static AgentContext context(Experience experience, Optional<EpisodeRunner> episodeRunner, MetricsSink metrics,
            Path workDirectory, long seed, String device, BundleContext services) {
        return new HostAgentContext(experience, episodeRunner, metrics, workDirectory, seed, device, ServiceBindings.of(services));
    }

    /**
     * Gives back the services that the agent made with {@code context} (from {@link #context})
     * obtained; call it once that agent is closed.
     */
    public static void releaseServices(AgentContext context) {
        if (context instanceof HostAgentContext c && c.services() != null) {
            c.services().release();
        }
    }
}
