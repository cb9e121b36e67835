package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.tensor.Scalars;
import java.util.Objects;

/**
 * The cross-entropy method as PlaNet plans: per iteration, {@code candidates} sequences drawn from
 * {@code N(mean, std)} and clamped to {@code [-1, 1]} are scored by
 * {@code sum_t gamma^t r_t + gamma^H V(z_H)} (PlaNet's objective is the plain reward sum: a model
 * with discount 1 and no value), and the mean and standard deviation are refit, unweighted, to the
 * best {@code topK}.
 *
 * <p>The search starts from the previous plan's mean shifted by one step (its last step zero;
 * PlaNet itself always starts at zero) and from {@code initStd}; environments flagged fresh start
 * from zero. The action is the final mean's first step, plus Gaussian noise of
 * {@code exploreNoise} when exploring, clamped to {@code [-1, 1]}. The prior is not used: PlaNet's
 * CEM has none.
 *
 * <p>All {@code N} environments are searched together, as one tensor program over
 * {@code N * candidates} rows, without recording gradients; random numbers come from the engine's
 * generator. Stateless between calls.
 */
public final class Cem implements Planner {
    private final int actionSize;
    private final CemSettings settings;

    /** A planner for {@code actionSize} action dimensions with PlaNet's settings. */
    public Cem(int actionSize) {
        this(actionSize, CemSettings.published());
    }

    public Cem(int actionSize, CemSettings settings) {
        this.actionSize = Checks.actionSize(actionSize);
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public CemSettings settings() {
        return settings;
    }

    @Override
    public Plan plan(NDArray latents, LatentModel model, ActionPrior prior, Plan previous, boolean[] fresh, boolean explore) {
        int n = Checks.rows(latents, fresh);
        CemSettings s = settings;
        NDManager out = latents.getManager();
        try (NoGradient off = NoGradient.open();
                UpdateScope scope = UpdateScope.open(out)) {
            NDManager m = scope.manager();
            NDArray z = scope.borrow(latents);
            if (previous != null) {
                scope.borrow(previous.mean());
            }
            NDArray mean = Candidates.startMean(m, previous, fresh, s.horizon(), n, actionSize);
            NDArray std = m.full(new Shape(s.horizon(), n, actionSize), (float) s.initStd(), DataType.FLOAT32);
            for (int i = 0; i < s.iterations(); i++) {
                NDArray sequences = Candidates.sample(mean, std, s.candidates());
                NDArray best = Candidates.elites(Candidates.returns(model, z, sequences), sequences, s.topK()).get(1);
                mean = best.mean(new int[] {2});
                std = Scalars.maximum(best.sub(mean.expandDims(2)).square().mean(new int[] {2}).sqrt(), (float) s.minStd());
            }
            NDArray action = mean.get(0);
            if (explore && s.exploreNoise() > 0) {
                action = action.add(m.randomNormal(0f, (float) s.exploreNoise(), action.getShape(), DataType.FLOAT32));
            }
            NDList kept = new NDList(action.clip(-1, 1), mean, std);
            scope.keepAll(kept, out);
            return new Plan(kept.get(0), kept.get(1), kept.get(2));
        }
    }
}
