package io.worldgate.gateway.host;

import io.worldgate.api.learner.LearnerFactory;

/**
 * A registered learner factory and the bundle that offers it. Valid until the host reports it
 * going ({@link LearnerFactories.Listener#learnerRemoving}); whoever holds one drops it then.
 *
 * @param name the descriptor's name
 * @param symbolicName the offering bundle's symbolic name
 * @param version the offering bundle's version (its plugin version)
 * @param serviceId the OSGi service id; a new registration gets a new one
 * @param factory the service object
 */
public record LearnerHandle(String name, String symbolicName, String version, long serviceId, LearnerFactory factory) {

    /** {@code name@version}, as shown to users. */
    public String label() {
        return name + "@" + version;
    }
}
