package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;

/**
 * A small deterministic system for the tests: a point on a line pushed by an action,
 *
 * <pre>
 *   v' = 0.8 v + 0.2 u,   x' = x + v',   r' = x'       (u = action - 1 for 3 discrete actions, or the box value)
 * </pre>
 *
 * observed as {@code state = (x, v)} and optionally as a 64x64 RGB image with a bright square at
 * x. Episodes end (terminal) when |x| > 1.5, else are truncated after 40 steps.
 */
final class Fixtures {
    static final int EPISODE = 40;

    private Fixtures() {}

    static EnvSpec spec(boolean discrete, boolean image, boolean state, int numEnvs) {
        Map<String, Space> obs = new LinkedHashMap<>();
        if (image) {
            obs.put("image", BoxSpace.image(64, 64, 3));
        }
        if (state) {
            obs.put("state", BoxSpace.uniform(DType.FLOAT32, -10, 10, 2));
        }
        Space actions = discrete ? new DiscreteSpace(3) : BoxSpace.uniform(DType.FLOAT32, -2, 2, 1);
        return new EnvSpec("test:point", new DictSpace(obs), actions, numEnvs, EPISODE, Map.of());
    }

    static AgentConfig config(String preset, Map<String, String> overrides) {
        return AgentConfig.resolve(new DreamerAgentFactory().descriptor(), preset, overrides);
    }

    static DreamerAgent agent(EnvSpec spec, FakeExperience experience, Path dir, long seed, Map<String, String> overrides) {
        return (DreamerAgent) new DreamerAgentFactory().create(spec, config("debug", overrides),
                new FakeAgentContext(experience, dir, seed));
    }

    /** {@code steps} steps of random actions, as the host would have stored them. */
    static FakeExperience experience(EnvSpec spec, int steps, long seed) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((k, v) -> specs.put(k, v.tensorSpec()));
        FakeExperience exp = new FakeExperience(specs, spec.actionSpace().tensorSpec());
        SplittableRandom rng = new SplittableRandom(seed);
        boolean discrete = spec.actionSpace() instanceof DiscreteSpace;
        double x = 0;
        double v = 0;
        float reward = 0;
        boolean first = true;
        int t = 0;
        for (int i = 0; i < steps; i++) {
            double u;
            Tensor action;
            if (discrete) {
                int a = rng.nextInt(3);
                u = a - 1;
                action = Tensor.ofInts(new int[] {a});
            } else {
                u = rng.nextDouble(-2, 2);
                action = Tensor.ofFloats(new float[] {(float) u}, 1);
                u = u / 2;
            }
            boolean terminal = Math.abs(x) > 1.5;
            boolean last = terminal || t == EPISODE - 1;
            Map<String, Tensor> obs = observation(spec, x, v);
            exp.add(new FakeExperience.Step(obs, last ? zeros(action) : action, reward, first, terminal));
            if (last) {
                x = rng.nextDouble(-0.5, 0.5);
                v = 0;
                reward = 0;
                first = true;
                t = 0;
                continue;
            }
            v = 0.8 * v + 0.2 * u;
            x = x + v;
            reward = (float) x;
            first = false;
            t++;
        }
        return exp;
    }

    private static Tensor zeros(Tensor like) {
        return Tensor.allocate(like.dtype(), like.shape());
    }

    static Map<String, Tensor> observation(EnvSpec spec, double x, double v) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        if (spec.observationSpace().has("image")) {
            obs.put("image", image(x));
        }
        if (spec.observationSpace().has("state")) {
            obs.put("state", Tensor.ofFloats(new float[] {(float) x, (float) v}, 2));
        }
        return obs;
    }

    /** A dark 64x64 frame with an 8x8 bright square whose column follows x in [-2, 2]. */
    static Tensor image(double x) {
        byte[] px = new byte[64 * 64 * 3];
        int col = (int) Math.round((Math.max(-2, Math.min(2, x)) + 2) / 4 * 56);
        for (int r = 28; r < 36; r++) {
            for (int c = col; c < col + 8; c++) {
                for (int k = 0; k < 3; k++) {
                    px[(r * 64 + c) * 3 + k] = (byte) (k == 0 ? 230 : 180);
                }
            }
        }
        return Tensor.ofBytes(px, 64, 64, 3);
    }

    /** A step batch of N environments at the given positions. */
    static StepBatch batch(EnvSpec spec, double[] xs, boolean[] first) {
        int n = xs.length;
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (String key : spec.observationSpace().spaces().keySet()) {
            Tensor one = observation(spec, 0, 0).get(key);
            int[] shape = new int[one.rank() + 1];
            shape[0] = n;
            System.arraycopy(one.shape(), 0, shape, 1, one.rank());
            Tensor all = Tensor.allocate(one.dtype(), shape);
            for (int i = 0; i < n; i++) {
                Tensor entry = observation(spec, xs[i], 0.1 * xs[i]).get(key);
                all.batchEntry(i).buffer().put(entry.buffer());
            }
            named.put(key, all);
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return new StepBatch(NamedTensors.of(named), new float[n], new boolean[n], new boolean[n], first, ids);
    }
}
