package io.worldgate.gateway.service;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.util.Map;
import java.util.function.UnaryOperator;

/** An env family {@code <family>:CartPole}: the built-in java:CartPole as {@code wrap} changes it (to fail, to wait). */
final class WrappedCartPole implements EnvFactory {
    private final String family;
    private final UnaryOperator<VectorEnv> wrap;

    WrappedCartPole(String family, UnaryOperator<VectorEnv> wrap) {
        this.family = family;
        this.wrap = wrap;
    }

    @Override
    public String family() {
        return family;
    }

    @Override
    public Map<String, String> examples() {
        return Map.of(family + ":CartPole", "java:CartPole, changed for a test");
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        return wrap.apply(EnvRegistry.withBuiltins().create("java:CartPole", numEnvs, options));
    }
}
