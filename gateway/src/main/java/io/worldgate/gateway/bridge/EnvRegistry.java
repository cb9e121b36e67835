package io.worldgate.gateway.bridge;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.internal.JavaEnvFactory;
import io.worldgate.gateway.bridge.internal.python.PythonEnvFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the {@link EnvFactory} for an env id such as {@code java:CartPole} and creates the environments. */
public final class EnvRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(EnvRegistry.class);
    private final Map<String, EnvFactory> families = new LinkedHashMap<>();
    private BridgeConfig bridge = BridgeConfig.defaults();

    /**
     * A registry with the environments built into the gateway: the {@code java} family and the
     * Python families ({@code dmc}, {@code atari}, {@code metaworld}, {@code gym}, {@code const})
     * with the bridge's defaults.
     */
    public static EnvRegistry withBuiltins() {
        return withBuiltins(BridgeConfig.defaults());
    }

    /** The built-in families, with the Python ones served as {@code bridge} says. */
    public static EnvRegistry withBuiltins(BridgeConfig bridge) {
        EnvRegistry r = new EnvRegistry();
        r.bridge = bridge;
        r.register(new JavaEnvFactory());
        PythonEnvFactory.all(bridge).forEach(r::register);
        return r;
    }

    public void register(EnvFactory factory) {
        families.put(factory.family(), factory);
    }

    public List<EnvFactory> families() {
        return List.copyOf(families.values());
    }

    /**
     * Checks, before a run exists, what the gateway decides about {@code options} without starting
     * a simulator: the {@code bridge.*} options (limits, allowed env workers) and the image sizes.
     *
     * @throws EnvException naming the option ({@link EnvWorkerNotAllowedException} for an env
     *     worker the gateway does not allow)
     */
    public void checkOptions(String id, Map<String, String> options) {
        int colon = id.indexOf(':');
        EnvFactory f = colon < 0 ? null : families.get(id.substring(0, colon));
        if (f != null && f.servedByBridge()) {
            bridge.withEnvOptions(options);
            BridgeConfig.checkSimulatorLimits(BridgeConfig.simulatorOptions(options));
        }
    }

    /**
     * Creates {@code numEnvs} environments of {@code id} ({@code family:name}).
     *
     * @throws EnvException if the family is unknown (the message lists the known ones) or creation fails
     */
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        int colon = id.indexOf(':');
        EnvFactory f = colon < 0 ? null : families.get(id.substring(0, colon));
        if (f == null) {
            StringBuilder known = new StringBuilder();
            for (EnvFactory k : families.values()) {
                known.append(known.length() == 0 ? "" : ", ").append(k.family()).append(" (e.g. ").append(k.knownIds().get(0)).append(')');
            }
            throw new EnvException("unknown environment '" + id + "'; ids are family:name, families: " + known);
        }
        if (numEnvs < 1) {
            throw new EnvException("the number of environments must be at least 1, got " + numEnvs);
        }
        if (!f.servedByBridge() && BridgeConfig.hasBridgeOptions(options)) {
            LOG.warn("{} runs inside the gateway; the bridge options {} apply to the Python families only and are ignored", id,
                    options.keySet().stream().filter(k -> k.startsWith(BridgeConfig.OPTION_PREFIX)).toList());
            options = BridgeConfig.simulatorOptions(options);
        }
        return f.create(id, numEnvs, options);
    }
}
