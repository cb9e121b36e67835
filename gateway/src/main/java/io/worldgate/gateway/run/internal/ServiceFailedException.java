package io.worldgate.gateway.run.internal;

import io.worldgate.gateway.run.RunEvent;

/**
 * The run's agent waits for a service whose plugin registered a
 * {@link io.worldgate.api.agent.ServiceFailure} for it: the service will not come, and the run fails.
 */
public final class ServiceFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient RunEvent.ServiceFailed event;

    ServiceFailedException(RunEvent.ServiceFailed event) {
        super(event.text());
        this.event = event;
    }

    /** The failure, as the run tells it. */
    public RunEvent.ServiceFailed event() {
        return event;
    }
}
