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
 * Model predictive path integral control as TD-MPC2 plans: per iteration, sequences drawn from
 * {@code N(mean, std)} (plus, when a prior is given, sequences it rolls out once per call) are
 * scored by {@code sum_t gamma^t r_t + gamma^H V(z_H)}; the best {@code elites} are weighted by
 * {@code softmax(temperature * value)} and the mean and standard deviation refit to them, the
 * latter clamped to {@code [minStd, maxStd]}.
 *
 * <p>The search starts from the previous plan's mean shifted by one step (its last step zero) and
 * from {@code maxStd}; environments flagged fresh start from zero. When exploring, the action is
 * the first step of one elite drawn by the weights plus Gaussian noise of the final standard
 * deviation, as in TD-MPC2; when evaluating it is the final mean's first step (deterministic
 * given the seed, where TD-MPC2 still draws an elite).
 *
 * <p>All {@code N} environments are searched together, as one tensor program over
 * {@code N * samples} rows, without recording gradients. Random numbers come from the engine's
 * generator, so a plan is reproducible under {@code Engine.setRandomSeed}. Stateless between
 * calls; thread-safe if the model is.
 */
public final class Mppi implements Planner {
    private final int actionSize;
    private final MppiSettings settings;

    /** A planner for {@code actionSize} action dimensions with TD-MPC2's settings. */
    public Mppi(int actionSize) {
        this(actionSize, MppiSettings.published());
    }

    public Mppi(int actionSize, MppiSettings settings) {
        this.actionSize = Checks.actionSize(actionSize);
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public MppiSettings settings() {
        return settings;
    }

    @Override
    public Plan plan(NDArray latents, LatentModel model, ActionPrior prior, Plan previous, boolean[] fresh, boolean explore) {
        int n = Checks.rows(latents, fresh);
        MppiSettings s = settings;
        NDManager out = latents.getManager();
        try (NoGradient off = NoGradient.open();
                UpdateScope scope = UpdateScope.open(out)) {
            NDManager m = scope.manager();
            NDArray z = scope.borrow(latents);
            if (previous != null) {
                scope.borrow(previous.mean());
            }
            int fromPrior = prior == null ? 0 : s.policyTrajectories();
            NDArray priorSequences = fromPrior > 0 ? Candidates.fromPrior(model, prior, z, fromPrior, s.horizon()) : null;
            NDArray mean = Candidates.startMean(m, previous, fresh, s.horizon(), n, actionSize);
            NDArray std = m.full(new Shape(s.horizon(), n, actionSize), (float) s.maxStd(), DataType.FLOAT32);
            Refit fit = null;
            for (int i = 0; i < s.iterations(); i++) {
                // each iteration's rollouts (hundreds of MB at the 5M model) are freed when it ends;
                // only the refit distribution goes on
                try (UpdateScope iteration = UpdateScope.open(m)) {
                    NDArray zi = iteration.borrow(z);
                    NDArray sequences = priorSequences == null ? null : iteration.borrow(priorSequences);
                    if (s.samples() > fromPrior) {
                        NDArray drawn = Candidates.sample(iteration.borrow(mean), iteration.borrow(std),
                                s.samples() - fromPrior);
                        sequences = sequences == null ? drawn : sequences.concat(drawn, 2);
                    }
                    NDList elites = Candidates.elites(Candidates.returns(model, zi, sequences), sequences, s.elites());
                    fit = refit(elites.get(0), elites.get(1), s.temperature(), s.minStd(), s.maxStd());
                    iteration.keepAll(new NDList(fit.weights(), fit.mean(), fit.std(), fit.eliteSequences()), m);
                    mean = fit.mean();
                    std = fit.std();
                }
            }
            NDArray action = explore ? drawElite(fit) : mean.get(0);
            NDList kept = new NDList(action.clip(-1, 1), mean, std);
            scope.keepAll(kept, out);
            return new Plan(kept.get(0), kept.get(1), kept.get(2));
        }
    }

    /**
     * The search distribution refit to elites: weights {@code [N, K]} (summing to 1 per
     * environment), and the weighted mean and standard deviation {@code [H, N, A]}.
     */
    record Refit(NDArray weights, NDArray mean, NDArray std, NDArray eliteSequences) {}

    /** Refits to {@code eliteValues [N, K]} and {@code eliteSequences [H, N, K, A]}. */
    static Refit refit(NDArray eliteValues, NDArray eliteSequences, double temperature, double minStd, double maxStd) {
        NDArray score = Scalars.mul(eliteValues.sub(eliteValues.max(new int[] {1}, true)), (float) temperature).exp();
        NDArray weights = score.div(score.sum(new int[] {1}, true));
        NDArray w = weights.expandDims(0).expandDims(3);
        NDArray mean = eliteSequences.mul(w).sum(new int[] {2});
        NDArray spread = eliteSequences.sub(mean.expandDims(2)).square().mul(w).sum(new int[] {2});
        NDArray std = spread.sqrt().clip(minStd, maxStd);
        return new Refit(weights, mean, std, eliteSequences);
    }

    /**
     * Per environment, the first step of one elite drawn with probability equal to its weight
     * (Gumbel-max over log-weights), plus noise of the final first-step standard deviation.
     */
    private static NDArray drawElite(Refit fit) {
        NDArray weights = fit.weights();
        NDManager m = weights.getManager();
        Shape ws = weights.getShape();
        long n = ws.get(0);
        NDArray u = m.randomUniform(0f, 1f, ws, DataType.FLOAT32).clip(1e-7f, 1f - 1e-7f);
        NDArray gumbel = u.log().neg().log().neg();
        NDArray pick = weights.log().add(gumbel).argMax(1);
        NDArray first = fit.eliteSequences().get(0);
        long a = first.getShape().get(2);
        NDArray chosen = first.gather(pick.reshape(n, 1, 1).broadcast(new Shape(n, 1, a)), 1).reshape(n, a);
        NDArray std0 = fit.std().get(0);
        return chosen.add(std0.mul(m.randomNormal(0f, 1f, std0.getShape(), DataType.FLOAT32)));
    }
}
