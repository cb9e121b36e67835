package io.worldgate.gateway.run;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.testkit.ForwardingVectorEnv;
import java.util.Map;

/**
 * The env family {@code brittle}: {@code brittle:X} is the real {@code java:X}, whose close
 * releases it and then throws what a class of a jar replaced under the running JVM throws.
 */
public final class BrittleEnvs implements EnvFactory {
    /** What close throws, as a rebuild under a running gateway made it throw. */
    public static final String MISSING_CLASS = "io/worldgate/gateway/bridge/internal/python/WorkerFailure$Kind";

    private final EnvRegistry builtins = EnvRegistry.withBuiltins();

    @Override
    public String family() {
        return "brittle";
    }

    @Override
    public Map<String, String> examples() {
        return Map.of("brittle:CartPole", "java:CartPole whose close throws NoClassDefFoundError");
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        return new ThrowsOnClose(builtins.create("java:" + id.substring(id.indexOf(':') + 1), numEnvs, options));
    }

    /** A real env whose close throws an {@link Error} after releasing it. */
    public static final class ThrowsOnClose extends ForwardingVectorEnv {
        public ThrowsOnClose(VectorEnv inner) {
            super(inner);
        }

        @Override
        public void close() {
            inner.close();
            throw new NoClassDefFoundError(MISSING_CLASS);
        }
    }
}
