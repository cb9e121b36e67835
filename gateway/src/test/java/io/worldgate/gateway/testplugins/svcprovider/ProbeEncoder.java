package io.worldgate.gateway.testplugins.svcprovider;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.nn.ImageEncoder;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * An image-encoder service named {@code probe} that refuses every call once its component is
 * deactivated: a consumer that keeps using it after its plugin was stopped or updated fails.
 */
@Component(service = ImageEncoder.class, property = ImageEncoder.SERVICE_NAME_PROPERTY + "=probe")
public class ProbeEncoder implements ImageEncoder {
    private volatile boolean active;

    @Activate
    protected void activate() {
        active = true;
    }

    @Deactivate
    protected void deactivate() {
        active = false;
    }

    private void check() {
        if (!active) {
            throw new IllegalStateException("probe encoder used after its plugin was stopped");
        }
    }

    @Override
    public String name() {
        check();
        return "probe";
    }

    @Override
    public int[] imageSize() {
        check();
        return new int[] {8, 8};
    }

    @Override
    public long featureSize() {
        check();
        return 4;
    }

    @Override
    public NDArray encode(NDArray images) {
        check();
        throw new UnsupportedOperationException("the probe encodes nothing");
    }
}
