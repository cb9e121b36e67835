package io.worldgate.gateway.host;

import java.util.List;

/**
 * One file of the deploy directory as the host sees it.
 *
 * @param file file name in the deploy directory (or the bundle location, for bundles installed otherwise)
 * @param symbolicName the bundle's symbolic name, or null if the file is not a bundle
 * @param version the bundle version, or null
 * @param state ACTIVE, RESOLVED, INSTALLED (not resolvable), STARTING, STOPPING, or FAILED (not installable)
 * @param agents names of the agent factories the bundle offers now
 * @param error why the plugin is not usable, or null
 */
public record PluginInfo(String file, String symbolicName, String version, String state, List<String> agents, String error) {
    public PluginInfo {
        agents = List.copyOf(agents);
    }

    /** Whether the plugin works: active and without error. */
    public boolean healthy() {
        return error == null && "ACTIVE".equals(state);
    }
}
