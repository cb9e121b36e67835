package io.worldgate.testkit;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Environment specs that cover every kind of space a plugin meets: discrete and box actions (with
 * bounds that are not symmetric, so an agent that ignores them is caught), state vectors and
 * 64x64 RGB images.
 */
public final class TestSpecs {
    /** Episodes of the specs here are truncated after this many steps. */
    public static final int EPISODE_STEPS = 40;

    private TestSpecs() {}

    /** A spec named {@code test:<name>} with the given observations and actions. */
    public static EnvSpec of(String name, Map<String, Space> observations, Space actions, int numEnvs) {
        return new EnvSpec("test:" + name, new DictSpace(observations), actions, numEnvs, EPISODE_STEPS, Map.of());
    }

    /** A float32 state vector in [-10, 10]. */
    public static BoxSpace state(int size) {
        return BoxSpace.uniform(DType.FLOAT32, -10, 10, size);
    }

    /** A box of two actions with bounds [-1, 1] and [0.1, 0.3]. */
    public static BoxSpace asymmetricBox() {
        return new BoxSpace(DType.FLOAT32, new int[] {2}, new double[] {-1, 0.1}, new double[] {1, 0.3});
    }

    /**
     * Discrete and box actions, each from a state vector, from 64x64 pixels, and from both: the
     * specs every agent's contract test tries (those an agent declares it cannot act in are skipped).
     */
    public static List<EnvSpec> everyKind(int numEnvs) {
        return List.of(
                of("discrete-state", observations(false, true), new DiscreteSpace(3), numEnvs),
                of("box-state", observations(false, true), asymmetricBox(), numEnvs),
                of("discrete-image", observations(true, false), new DiscreteSpace(4), numEnvs),
                of("box-image-state", observations(true, true), asymmetricBox(), numEnvs));
    }

    private static Map<String, Space> observations(boolean image, boolean state) {
        Map<String, Space> obs = new LinkedHashMap<>();
        if (image) {
            obs.put(DictSpace.IMAGE, BoxSpace.image(64, 64, 3));
        }
        if (state) {
            obs.put(DictSpace.STATE, state(4));
        }
        return obs;
    }
}
