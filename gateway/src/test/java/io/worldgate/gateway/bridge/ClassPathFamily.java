package io.worldgate.gateway.bridge;

import io.worldgate.api.env.VectorEnv;
import java.util.Map;

/**
 * A family in the gateway's JVM that only a services file names
 * ({@code src/test/resources/envfamilies/META-INF/services}), as a jar on the class path would.
 */
public final class ClassPathFamily implements EnvFactory {
    @Override
    public String family() {
        return "classpath";
    }

    @Override
    public Map<String, String> examples() {
        return Map.of("classpath:CartPole", "the java family's cart-pole under another name");
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        return EnvRegistry.withBuiltins().create("java:CartPole", numEnvs, options);
    }
}
