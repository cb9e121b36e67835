package io.worldgate.api.agent;

/**
 * An agent needs a service of another plugin that is not deployed now. Thrown from
 * {@link AgentFactory#create}, {@link Agent#load}, {@code act} or {@code train} (usually by
 * {@link AgentContext#requireService}), it does not fail the run: the host pauses it, waits for a
 * matching service to be registered, then creates the agent again from the run's checkpoint; if
 * the service's plugin registered a {@link ServiceFailure} for it, the run fails instead.
 *
 * @since API 1.4
 */
public class ServiceUnavailableException extends AgentException {
    private static final long serialVersionUID = 1L;

    private final String serviceType;
    private final String serviceName;

    /** {@code type} is the service interface's class name, {@code name} the service's {@code worldgate.service.name}. */
    public ServiceUnavailableException(String serviceType, String serviceName) {
        super("no " + serviceType + " service named '" + serviceName + "' is deployed");
        this.serviceType = serviceType;
        this.serviceName = serviceName;
    }

    /** The service interface's fully qualified class name. */
    public String serviceType() {
        return serviceType;
    }

    /** The name it is looked up by (the {@code worldgate.service.name} property). */
    public String serviceName() {
        return serviceName;
    }
}
