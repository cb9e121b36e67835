package io.worldgate.testkit;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills a {@link FakeExperience} with episodes of random observations, actions and rewards: enough
 * for an agent to run its updates on, not to learn anything.
 */
public final class RandomRollouts {
    private RandomRollouts() {}

    /**
     * {@code steps} steps in episodes of {@link TestSpecs#EPISODE_STEPS}, each begun by a
     * {@code first} step; no step is terminal or truncated, so an episode ends where the next
     * begins and the last one is still running.
     */
    public static FakeExperience of(EnvSpec spec, int steps, long seed) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((k, v) -> specs.put(k, v.tensorSpec()));
        FakeExperience experience = new FakeExperience(specs, spec.actionSpace().tensorSpec());
        into(experience, spec, steps, seed);
        return experience;
    }

    /** Appends {@code steps} such steps to {@code experience} (a run's prefill arriving after its agent was made). */
    public static void into(FakeExperience experience, EnvSpec spec, int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < steps; i++) {
            int t = i % TestSpecs.EPISODE_STEPS;
            boolean first = t == 0;
            Map<String, Tensor> obs = new LinkedHashMap<>();
            spec.observationSpace().spaces().forEach((k, space) -> obs.put(k, entry(StepBatches.sample(space, 1, rng))));
            Tensor action = entry(StepBatches.sample(spec.actionSpace(), 1, rng));
            experience.add(new FakeExperience.Step(obs, action, first ? 0 : (float) rng.nextDouble(-1, 1), first, false));
        }
    }

    private static Tensor entry(Tensor batchOfOne) {
        return batchOfOne.batchEntry(0);
    }
}
