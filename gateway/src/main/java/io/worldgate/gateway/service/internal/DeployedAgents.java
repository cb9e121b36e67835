package io.worldgate.gateway.service.internal;

import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The agents a run may ask for: the deployed plugins' factories, found by {@code name} or
 * {@code name@version}. Unlike {@link io.worldgate.gateway.service.AgentLookup}, a run waits a
 * while for a plugin that is still starting, and a miss is a {@link ConfigException} that lists
 * the agents and the plugins that failed, since the user most likely mistyped or forgot to build.
 */
public final class DeployedAgents {
    /** Plugins deployed with the gateway may still be activating when the first run is asked for. */
    private static final Duration STARTING_PLUGINS = Duration.ofSeconds(10);

    private final PluginHost host;

    public DeployedAgents(PluginHost host) {
        this.host = host;
    }

    /** The best factory for {@code name} or exactly {@code name@version}. */
    public FactoryHandle find(String selector) {
        if (selector == null || selector.isBlank()) {
            throw new ConfigException("an agent name is required; available: " + available());
        }
        int at = selector.indexOf('@');
        String name = at < 0 ? selector : selector.substring(0, at);
        String version = at < 0 ? null : selector.substring(at + 1);
        Optional<FactoryHandle> found = host.awaitFactory(name, STARTING_PLUGINS);
        if (version != null) {
            found = host.factories().stream().filter(h -> h.agentName().equals(name) && h.version().equals(version)).findFirst();
        }
        return found.orElseThrow(() -> new ConfigException("no deployed plugin offers agent '" + selector + "'; available: "
                + available() + pluginErrors()));
    }

    /** The factory of exactly {@code name@version} when still deployed, else the best for {@code name}. */
    public FactoryHandle findExactOrBest(String name, String version) {
        return host.factories().stream().filter(h -> h.agentName().equals(name) && h.version().equals(version)).findFirst()
                .orElseGet(() -> find(name));
    }

    /**
     * @throws ConfigException if no deployed plugin offers an agent called {@code name}, at any version
     */
    public void requireOffered(String name) {
        if (host.factories().stream().noneMatch(h -> h.agentName().equals(name))) {
            throw new ConfigException("no deployed plugin offers agent '" + name + "'; available: " + available());
        }
    }

    private String available() {
        String list = host.factories().stream().map(FactoryHandle::label).distinct().collect(Collectors.joining(", "));
        return list.isEmpty() ? "none (./worldgate build deploys the bundled plugins)" : list;
    }

    private String pluginErrors() {
        String failed = host.plugins().stream().filter(p -> p.error() != null)
                .map(p -> "\n  " + p.file() + ": " + p.error()).collect(Collectors.joining());
        return failed.isEmpty() ? "" : "\nplugins with errors:" + failed;
    }
}
