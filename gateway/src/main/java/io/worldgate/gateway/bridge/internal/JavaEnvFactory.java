package io.worldgate.gateway.bridge.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Small environments written in Java ({@code java:CartPole}, {@code java:PointMass}): no Python
 * needed, for fast tests, demos of the plugin host, and plugin authors' first runs.
 */
public final class JavaEnvFactory implements EnvFactory {

    private record Entry(String description, Supplier<SingleEnv> env, int stateSize, Space actions, int maxSteps) {}

    private static final Map<String, Entry> ENVS = new LinkedHashMap<>();

    static {
        ENVS.put("CartPole", new Entry("balance a pole on a cart; 2 discrete actions, 500-step episodes",
                CartPole::new, 4, new DiscreteSpace(2), 500));
        ENVS.put("PointMass", new Entry("push a point to the origin; 1 continuous action, 200-step episodes",
                PointMass::new, 2, BoxSpace.uniform(DType.FLOAT32, -1, 1, 1), 200));
    }

    @Override
    public String family() {
        return "java";
    }

    @Override
    public Map<String, String> examples() {
        Map<String, String> out = new LinkedHashMap<>();
        ENVS.forEach((name, e) -> out.put("java:" + name, e.description()));
        return out;
    }

    @Override
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        String name = id.substring(id.indexOf(':') + 1);
        Entry e = ENVS.get(name);
        if (e == null) {
            throw new EnvException("unknown environment '" + id + "'; the java family has " + String.join(", ", examples().keySet()));
        }
        int maxSteps = e.maxSteps();
        for (Map.Entry<String, String> o : options.entrySet()) {
            if (!o.getKey().equals("max_episode_steps")) {
                throw new EnvException("java environments take no option '" + o.getKey() + "' (known: max_episode_steps)");
            }
            try {
                maxSteps = Integer.parseInt(o.getValue());
            } catch (NumberFormatException ex) {
                throw new EnvException("max_episode_steps must be a whole number, got '" + o.getValue() + "'");
            }
        }
        DictSpace obs = new DictSpace(Map.of(DictSpace.STATE,
                BoxSpace.uniform(DType.FLOAT32, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, e.stateSize())));
        EnvSpec spec = new EnvSpec(id, obs, e.actions(), numEnvs, maxSteps, Map.of("family", "java"));
        return new JavaVectorEnv(spec, e.env());
    }
}
