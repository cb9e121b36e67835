package io.worldgate.gateway.run.internal;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Tells an {@link AgentSlot} of the services offered to agents as they come and go. The framework
 * calls a service listener synchronously, on the thread that unregisters the service, before it
 * is gone: the slot blocks there until the agents bound to it are closed.
 */
final class ServiceWatch implements ServiceListener, AutoCloseable {
    private final BundleContext context;
    private final AgentSlot slot;

    private ServiceWatch(BundleContext context, AgentSlot slot) {
        this.context = context;
        this.slot = slot;
    }

    static ServiceWatch open(BundleContext context, AgentSlot slot) {
        ServiceWatch watch = new ServiceWatch(context, slot);
        try {
            context.addServiceListener(watch, "(" + ServiceBindings.SERVICE_NAME_PROPERTY + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // the filter is a constant
        }
        return watch;
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        switch (event.getType()) {
            case ServiceEvent.REGISTERED, ServiceEvent.MODIFIED -> slot.serviceRegistered(event.getServiceReference());
            case ServiceEvent.UNREGISTERING, ServiceEvent.MODIFIED_ENDMATCH -> slot.serviceUnregistering(event.getServiceReference());
            default -> { }
        }
    }

    @Override
    public void close() {
        try {
            context.removeServiceListener(this);
        } catch (IllegalStateException e) {
            // the framework has stopped: no listener is left
        }
    }
}
