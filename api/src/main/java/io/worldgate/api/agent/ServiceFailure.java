package io.worldgate.api.agent;

import java.util.Hashtable;

/**
 * Stands for a service that its plugin was told to offer and could not (the weights it was told
 * to read are missing or damaged, say). The plugin registers it, under this class and with
 * {@link #properties()}, in place of the service; the host then fails a run whose agent waits for
 * that service ({@link ServiceUnavailableException}) with {@link #reason()}, instead of pausing it
 * for a service that will not come. A service that is merely absent, whose plugin may be deployed
 * later, has no failure: runs wait for it. The plugin unregisters the failure if it offers the
 * service after all (the framework does so when the plugin stops).
 *
 * @since API 1.6
 */
public final class ServiceFailure {
    /** The service property holding the failed service's name, as its {@code worldgate.service.name} would have. */
    public static final String SERVICE_NAME_PROPERTY = "worldgate.service.name";
    /** The service property holding the failed service's interface class name. */
    public static final String SERVICE_TYPE_PROPERTY = "worldgate.service.failed.type";
    /** The service property holding {@link #reason()}. */
    public static final String REASON_PROPERTY = "worldgate.service.failed.reason";

    private final String serviceType;
    private final String serviceName;
    private final String reason;

    /**
     * @param serviceType the interface the service would have been registered under
     * @param serviceName its {@code worldgate.service.name}
     * @param reason for people: what could not be read, and why (the path and the cause)
     */
    public ServiceFailure(String serviceType, String serviceName, String reason) {
        this.serviceType = serviceType;
        this.serviceName = serviceName;
        this.reason = reason;
    }

    /** The interface the service would have been registered under. */
    public String serviceType() {
        return serviceType;
    }

    /** The service's {@code worldgate.service.name}. */
    public String serviceName() {
        return serviceName;
    }

    /** For people: why the service could not be offered. */
    public String reason() {
        return reason;
    }

    /** The properties to register this failure with, which the host finds it by. */
    public Hashtable<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(SERVICE_NAME_PROPERTY, serviceName);
        p.put(SERVICE_TYPE_PROPERTY, serviceType);
        p.put(REASON_PROPERTY, reason);
        return p;
    }
}
