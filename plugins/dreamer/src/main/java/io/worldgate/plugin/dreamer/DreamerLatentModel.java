package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.plan.LatentModel;

/**
 * Dreamer's world model seen by a planner: the latent is the model state's features
 * {@code [h, z]} ({@code [B, D + S K]}), split back into the RSSM state for each imagination step.
 * {@code next} is one prior step {@code h' = f(h, z, a)}, {@code z' ~ p(z' | h')}; {@code reward}
 * is the reward head's mean at that next state (Dreamer's reward head predicts, at a state, the
 * reward received on arriving there); {@code terminalValue} is the critic's mean; the discount is
 * the agent's {@code γ}.
 *
 * <p>A planner asks for the reward and then the next latent of the same {@code (z, a)}: the one
 * imagination step the reward needed is remembered and serves both, so a rollout draws each
 * stochastic state once.
 */
final class DreamerLatentModel implements LatentModel {
    private final WorldModel wm;
    private final ActorCritic ac;
    private final ParameterStore ps;
    private final double discount;
    private NDArray lastZ;
    private NDArray lastA;
    private NDArray lastNext;

    DreamerLatentModel(WorldModel wm, ActorCritic ac, ParameterStore ps, double discount) {
        this.wm = wm;
        this.ac = ac;
        this.ps = ps;
        this.discount = discount;
    }

    @Override
    public NDArray next(NDArray z, NDArray a) {
        if (z == lastZ && a == lastA) {
            return lastNext;
        }
        int d = wm.rssm.deterSize();
        RssmState state = new RssmState(z.get(":, :" + d), z.get(":, " + d + ":"), null);
        NDArray next = wm.rssm.imgStep(ps, state, a, true, false).features();
        lastZ = z;
        lastA = a;
        lastNext = next;
        return next;
    }

    @Override
    public NDArray reward(NDArray z, NDArray a) {
        return wm.reward(ps, next(z, a)).mean();
    }

    @Override
    public NDArray terminalValue(NDArray z) {
        return ac.value(ps, z).mean();
    }

    @Override
    public double discount() {
        return discount;
    }
}
