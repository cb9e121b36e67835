package io.worldgate.gateway.service;

import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import java.util.Optional;
import java.util.stream.Collectors;

/** Finds a deployed agent by {@code name} (its highest version) or {@code name@version}, without waiting. */
public final class AgentLookup {
    private AgentLookup() {}

    /**
     * @throws IllegalArgumentException if {@code selector} is blank
     * @throws NotFoundException if no deployed plugin offers it; the message lists those that do
     */
    public static FactoryHandle find(PluginHost host, String selector) {
        if (selector == null || selector.isBlank()) {
            throw new IllegalArgumentException("an agent is required: name or name@version; deployed: " + deployed(host));
        }
        int at = selector.indexOf('@');
        String name = at < 0 ? selector : selector.substring(0, at);
        Optional<FactoryHandle> found = at < 0 ? host.bestFactory(name)
                : host.factories().stream()
                        .filter(h -> h.agentName().equals(name) && h.version().equals(selector.substring(at + 1))).findFirst();
        return found.orElseThrow(() -> new NotFoundException("no deployed plugin offers agent '" + ApiLimits.echo(selector)
                + "'; deployed: " + deployed(host)));
    }

    private static String deployed(PluginHost host) {
        String list = host.factories().stream().map(FactoryHandle::label).distinct().collect(Collectors.joining(", "));
        return list.isEmpty() ? "none" : list;
    }
}
