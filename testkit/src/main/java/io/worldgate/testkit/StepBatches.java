package io.worldgate.testkit;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Observations and actions drawn uniformly from a spec's spaces, for tests. */
public final class StepBatches {
    private StepBatches() {}

    /**
     * A batch of {@code isFirst.length} environments with random observations within their
     * bounds, reward 0 where an episode begins and a random reward elsewhere, and no episode ending.
     */
    public static StepBatch random(EnvSpec spec, boolean[] isFirst, RandomGenerator rng) {
        int n = isFirst.length;
        Map<String, Tensor> obs = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((name, space) -> obs.put(name, sample(space, n, rng)));
        float[] rewards = new float[n];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            rewards[i] = isFirst[i] ? 0 : (float) rng.nextDouble(-1, 1);
            ids[i] = i;
        }
        return new StepBatch(NamedTensors.of(obs), rewards, new boolean[n], new boolean[n], isFirst.clone(), ids);
    }

    /** {@code n} values of {@code space} drawn uniformly, as one tensor with the batch first. */
    public static Tensor sample(Space space, int n, RandomGenerator rng) {
        if (space instanceof DiscreteSpace d) {
            int[] values = new int[n];
            for (int i = 0; i < n; i++) {
                values[i] = rng.nextInt(d.n());
            }
            return Tensor.ofInts(values, n);
        }
        if (space instanceof BoxSpace box) {
            Tensor t = Tensor.allocate(box.dtype(), box.tensorSpec().batchShape(n));
            int per = box.numElements();
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < per; e++) {
                    double low = box.low(e);
                    double high = box.high(e);
                    double v = box.dtype() == DType.FLOAT32 ? rng.nextDouble(low, high) : Math.floor(rng.nextDouble(low, high + 1));
                    t.setDouble((long) i * per + e, Math.min(high, v));
                }
            }
            return t;
        }
        throw new IllegalArgumentException("no sampling for " + space);
    }
}
