package io.worldgate.gateway.bridge;

import io.worldgate.api.env.VectorEnv;
import java.util.List;
import java.util.Map;

/**
 * Creates vectorized environments for one family of env ids (such as {@code java:} or {@code dmc:}).
 *
 * <p>A family that runs in the gateway's JVM registers itself with one line naming its class (public,
 * with a public no-argument constructor) in {@code META-INF/services/io.worldgate.gateway.bridge.EnvFactory}
 * of a jar on the gateway's class path; {@link EnvRegistry#withBuiltins()} finds it with
 * {@link java.util.ServiceLoader}. Python families need no Java: the registry asks the bridge's Python.
 */
public interface EnvFactory {

    /** The id prefix this factory serves, without the colon: {@code java}, {@code dmc}, ... */
    String family();

    /** Example ids with a one-line description each, for {@code envs list}. */
    Map<String, String> examples();

    /**
     * Creates {@code numEnvs} environments of {@code id}.
     *
     * @param options family-specific options such as {@code size=64}
     * @throws EnvException with a clear message if the id is unknown or the environment cannot start
     */
    VectorEnv create(String id, int numEnvs, Map<String, String> options);

    /**
     * Whether this family's environments run in env workers served as the registry's
     * {@link BridgeConfig} says, so that a request's {@code bridge.*} options apply to them and are
     * checked before a run starts. False (the default) for families that run inside the gateway,
     * which ignore those options.
     */
    default boolean servedByBridge() {
        return false;
    }

    /** Ids this family knows, for error messages; may be a sample. */
    default List<String> knownIds() {
        return List.copyOf(examples().keySet());
    }
}
