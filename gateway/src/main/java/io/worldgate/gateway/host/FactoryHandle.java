package io.worldgate.gateway.host;

import io.worldgate.api.agent.AgentFactory;

/**
 * A registered agent factory and the bundle that offers it. Valid until the host reports it
 * going through {@link FactoryListener#factoryRemoving}; whoever holds one must drop it then, so
 * the bundle's class loader can be collected.
 *
 * @param agentName the descriptor's name
 * @param bundleId the offering bundle's id
 * @param symbolicName the offering bundle's symbolic name
 * @param version the offering bundle's version (its plugin version)
 * @param serviceId the OSGi service id; a new registration gets a new one
 * @param factory the service object
 */
public record FactoryHandle(String agentName, long bundleId, String symbolicName, String version, long serviceId,
        AgentFactory factory) {

    /** {@code name@version}, as shown to users. */
    public String label() {
        return agentName + "@" + version;
    }
}
