package io.worldgate.gateway.host.internal;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads DJL's engine, and with it libtorch, once, from the host class loader.
 *
 * <p>Why here and now: DJL finds its engine through {@link java.util.ServiceLoader} on the
 * context class loader, and a JNI library can belong to one class loader only. Doing it on the
 * main thread before Felix starts means every bundle later imports the already-loaded engine.
 */
public final class DjlBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(DjlBootstrap.class);
    private static volatile Engine engine;

    private DjlBootstrap() {}

    /** Loads the engine if not yet loaded; never downloads anything. */
    public static synchronized Engine initialise() {
        if (engine == null) {
            // Nothing may be downloaded at run time: no natives, no telemetry.
            System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
            System.setProperty("OPT_OUT_TRACKING", "true");
            engine = Engine.getInstance();
            LOG.info("DJL engine {} {} ready ({} GPU(s))", engine.getEngineName(), engine.getVersion(), engine.getGpuCount());
        }
        return engine;
    }
}
