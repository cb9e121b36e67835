package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One family of environments served by Python workers ({@code worldgate_envs}), as
 * {@link PythonFamilies} listed it: {@code dmc}, {@code gym}, ... or any family an installed
 * distribution adds. The worker itself checks the id and its options.
 */
public final class PythonEnvFactory implements EnvFactory {
    private final String family;
    private final Map<String, String> examples;
    private final BridgeConfig config;

    PythonEnvFactory(String family, Map<String, String> examples, BridgeConfig config) {
        this.family = family;
        this.examples = Collections.unmodifiableMap(new LinkedHashMap<>(examples));
        this.config = config;
    }

    /** A family the configured env workers serve, for a gateway without a Python to list them. */
    public static PythonEnvFactory unlisted(String family, BridgeConfig config) {
        return new PythonEnvFactory(family, Map.of(), config);
    }

    @Override
    public String family() {
        return family;
    }

    @Override
    public boolean servedByBridge() {
        return true;
    }

    @Override
    public Map<String, String> examples() {
        return examples;
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        String name = id.substring(id.indexOf(':') + 1);
        if (name.isBlank()) {
            throw new EnvException("environment id '" + id + "' names no environment"
                    + (examples.isEmpty() ? "" : "; for example " + knownIds().get(0)));
        }
        BridgeConfig bridge = config.withEnvOptions(options);
        Map<String, String> simulator = BridgeConfig.simulatorOptions(options);
        BridgeConfig.checkSimulatorLimits(simulator);
        return PythonVectorEnv.open(id, numEnvs, simulator, bridge);
    }
}
