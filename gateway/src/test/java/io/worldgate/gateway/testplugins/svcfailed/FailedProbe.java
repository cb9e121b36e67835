package io.worldgate.gateway.testplugins.svcfailed;

import io.worldgate.api.agent.ServiceFailure;
import io.worldgate.runtime.nn.ImageEncoder;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** A provider of the {@code probe} image encoder whose weights cannot be read: it says so with a {@link ServiceFailure}. */
@Component(immediate = true, service = {})
public class FailedProbe {
    /** What it says could not be read. */
    public static final String REASON = "weights /nonexistent/probe.bin cannot be read: NoSuchFileException";

    @Activate
    protected void activate(BundleContext context) {
        ServiceFailure failure = new ServiceFailure(ImageEncoder.class.getName(), "probe", REASON);
        context.registerService(ServiceFailure.class, failure, failure.properties());
    }
}
