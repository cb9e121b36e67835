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
    private static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    private static final String NUM_INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";
    private static volatile Engine engine;

    private DjlBootstrap() {}

    /** Loads the engine if not yet loaded; never downloads anything. */
    public static synchronized Engine initialise() {
        if (engine == null) {
            // Nothing may be downloaded at run time: no natives, no telemetry.
            System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
            System.setProperty("OPT_OUT_TRACKING", "true");
            // libtorch's default of one OpenMP thread per core spins its workers; on a small
            // machine shared with env workers and other runs they get descheduled mid-operation
            // and a Dreamer update became 10-40 times slower. Half the cores (at least one) keeps
            // a core for the environments; -Dai.djl.pytorch.num_threads=N overrides.
            System.setProperty(NUM_THREADS, System.getProperty(NUM_THREADS, String.valueOf(defaultThreads())));
            System.setProperty(NUM_INTEROP_THREADS, System.getProperty(NUM_INTEROP_THREADS, "1"));
            engine = Engine.getInstance();
            LOG.info("DJL engine {} {} ready ({} GPU(s), {} libtorch threads)", engine.getEngineName(), engine.getVersion(),
                    engine.getGpuCount(), System.getProperty(NUM_THREADS));
        }
        return engine;
    }

    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
