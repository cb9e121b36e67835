package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.plan.ActionPrior;
import io.worldgate.runtime.plan.LatentModel;
import java.util.SplittableRandom;

/**
 * The {@link WorldModel} as a planner sees it: the dynamics, the expected reward, and as the value
 * at the end of the horizon the mean of two randomly drawn online Q heads at the policy prior's
 * action, {@code ½ (Q_i + Q_j)(z, π(z))}; the policy prior proposes actions. No dropout, no
 * gradients (the planner calls it inside the act scope).
 */
final class PlanningModel implements LatentModel, ActionPrior {
    private final WorldModel wm;
    private final ParameterStore ps;
    private final float gamma;
    private final SplittableRandom rng;

    PlanningModel(WorldModel wm, ParameterStore ps, float gamma, SplittableRandom rng) {
        this.wm = wm;
        this.ps = ps;
        this.gamma = gamma;
        this.rng = rng;
    }

    @Override
    public NDArray next(NDArray z, NDArray a) {
        return wm.next(ps, z, a, false);
    }

    @Override
    public NDArray reward(NDArray z, NDArray a) {
        return wm.reward(ps, z, a);
    }

    @Override
    public Step fromEach(NDArray z, int count, NDArray a) {
        return wm.fromEach(ps, z, count, a);
    }

    @Override
    public NDArray terminalValue(NDArray z) {
        NDArray a = wm.pi(ps, z).action();
        return wm.qValues(ps, z, a, TdMpc2Losses.drawTwo(wm.qEnsemble().members(), rng), false, false).mean(new int[] {0});
    }

    @Override
    public double discount() {
        return gamma;
    }

    @Override
    public NDArray sample(NDArray z) {
        return wm.pi(ps, z).action();
    }
}
