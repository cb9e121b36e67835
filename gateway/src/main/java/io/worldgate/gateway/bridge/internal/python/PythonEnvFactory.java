package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One family of environments served by Python workers ({@code worldgate_envs}): {@code dmc},
 * {@code atari}, {@code metaworld}, {@code gym} or {@code const}. The examples are static, so
 * listing them starts no Python; the worker itself checks the id and its options.
 */
public final class PythonEnvFactory implements EnvFactory {
    private final String family;
    private final Map<String, String> examples;
    private final BridgeConfig config;

    private PythonEnvFactory(String family, Map<String, String> examples, BridgeConfig config) {
        this.family = family;
        this.examples = examples;
        this.config = config;
    }

    /** The five Python families, served as {@code config} says. */
    public static List<PythonEnvFactory> all(BridgeConfig config) {
        return List.of(
                new PythonEnvFactory("dmc", examples(
                        "dmc:walker-walk", "DeepMind Control walker, 64x64 pixels (obs=image|state|both, size, camera), 500 steps",
                        "dmc:cartpole-swingup", "DeepMind Control cart-pole swing-up, 64x64 pixels, continuous actions",
                        "dmc:cheetah-run", "DeepMind Control cheetah, 64x64 pixels, continuous actions"), config),
                new PythonEnvFactory("atari", examples(
                        "atari:Pong", "Atari Pong (ALE v5), 64x64 RGB (gray=true), frameskip 4 with max-pool, discrete actions",
                        "atari:Breakout", "Atari Breakout, same conventions"), config),
                new PythonEnvFactory("metaworld", examples(
                        "metaworld:reach-v3", "Meta-World MT1 reach, corner camera 64x64 (obs=both adds the 39-d state), 500 steps",
                        "metaworld:push-v3", "Meta-World MT1 push"), config),
                new PythonEnvFactory("gym", examples(
                        "gym:CartPole-v1", "Gymnasium classic control, state observations, 2 discrete actions",
                        "gym:Pendulum-v1", "Gymnasium pendulum, state observations, 1 continuous action"), config),
                new PythonEnvFactory("const", examples(
                        "const:4", "constant zeros of size n for latency tests (options length, image, action, fail_at, hang_at, crash_at)"),
                        config));
    }

    private static Map<String, String> examples(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
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
            throw new EnvException("environment id '" + id + "' names no environment; for example " + knownIds().get(0));
        }
        BridgeConfig bridge = config.withEnvOptions(options);
        Map<String, String> simulator = BridgeConfig.simulatorOptions(options);
        BridgeConfig.checkSimulatorLimits(simulator);
        return PythonVectorEnv.open(id, numEnvs, simulator, bridge);
    }
}
