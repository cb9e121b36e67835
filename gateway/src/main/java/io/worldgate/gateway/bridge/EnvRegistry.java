package io.worldgate.gateway.bridge;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.internal.JavaEnvFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Finds the {@link EnvFactory} for an env id such as {@code java:CartPole} and creates the environments. */
public final class EnvRegistry {
    private final Map<String, EnvFactory> families = new LinkedHashMap<>();

    /** A registry with the environments built into the gateway. */
    public static EnvRegistry withBuiltins() {
        EnvRegistry r = new EnvRegistry();
        r.register(new JavaEnvFactory());
        return r;
    }

    public void register(EnvFactory factory) {
        families.put(factory.family(), factory);
    }

    public List<EnvFactory> families() {
        return List.copyOf(families.values());
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
            throw new EnvException("unknown environment '" + id + "'; ids are family:name, families: "
                    + String.join(", ", families.keySet()) + " (for example " + families.values().iterator().next().knownIds().get(0) + ")");
        }
        if (numEnvs < 1) {
            throw new EnvException("the number of environments must be at least 1, got " + numEnvs);
        }
        return f.create(id, numEnvs, options);
    }
}
