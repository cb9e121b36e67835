package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.dist.SymexpTwoHot;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.tensor.Scalars;
import java.util.SplittableRandom;

/**
 * TD-MPC2's losses and targets as pure functions of arrays (no parameters, no optimizer). Every
 * loss over a horizon weights step {@code t} by {@code ρ^t} and divides by the number of steps:
 *
 * <pre>
 *   L_cons  = 1/H Σ_t ρ^t mean_{b,i} (ẑ_{t+1} - sg(enc(o_{t+1})))²          (ẑ from the dynamics)
 *   L_rew   = 1/H Σ_t ρ^t mean_b CE(R̂(ẑ_t, a_t), r_{t+1})
 *   L_val   = 1/(H Q) Σ_t ρ^t Σ_q mean_b CE(Q_q(ẑ_t, a_t), y_t)
 *   y_t     = r_{t+1} + γ (1 - d_{t+1}) min(Q̄_i, Q̄_j)(z_{t+1}, π(z_{t+1}))   (i ≠ j drawn at random, Q̄ the EMA targets)
 *   L_model = 20 L_cons + 0.1 L_rew + 0.1 L_val
 *   L_π     = 1/(H+1) Σ_t ρ^t mean_b -(α H_A(π(·|ẑ_t)) + Q(ẑ_t, π(ẑ_t)) / S)
 * </pre>
 *
 * CE is the cross-entropy against the two-hot code of the target over 101 bins on symlog
 * [-10, 10]; {@code S} is the running scale of Q ({@link QScale}); {@code H_A} the
 * action-dimension scaled entropy ({@link PolicyPrior}).
 */
final class TdMpc2Losses {
    private TdMpc2Losses() {}

    /** {@code ρ^t} for {@code t = 0 .. steps-1}. */
    static float[] rhoWeights(int steps, float rho) {
        float[] w = new float[steps];
        float p = 1f;
        for (int t = 0; t < steps; t++) {
            w[t] = p;
            p *= rho;
        }
        return w;
    }

    /** {@code 1/T Σ_t ρ^t x_t} of per-step losses {@code x [T]}. */
    static NDArray overHorizon(NDArray perStep, float rho) {
        int steps = Math.toIntExact(perStep.getShape().get(0));
        NDManager m = perStep.getManager();
        NDArray w;
        // a copy in memory libtorch owns (a Java-backed array may be freed before backward reads it)
        try (NDArray javaBacked = m.create(rhoWeights(steps, rho))) {
            w = javaBacked.duplicate();
        }
        return Scalars.div(perStep.mul(w).sum(), (float) steps);
    }

    /** {@code L_cons} of predicted latents {@code [B, H, Z]} against target latents (no gradient). */
    static NDArray consistency(NDArray predicted, NDArray target, float rho) {
        NDArray perStep = predicted.sub(target.stopGradient()).square().mean(new int[] {2}).mean(new int[] {0});
        return overHorizon(perStep, rho);
    }

    /** {@code CE} of two-hot regression logits {@code [..., n]} against real targets {@code [...]}. */
    static NDArray crossEntropy(NDArray logits, NDArray target, TwoHotBins bins) {
        return new SymexpTwoHot(logits, bins).loss(target);
    }

    /** {@code L_rew} of reward logits {@code [B, H, n]} and rewards {@code [B, H]}. */
    static NDArray reward(NDArray logits, NDArray rewards, TwoHotBins bins, float rho) {
        return overHorizon(crossEntropy(logits, rewards, bins).mean(new int[] {0}), rho);
    }

    /** {@code L_val} of the Q heads' logits {@code [Q, B, H, n]} and TD targets {@code [B, H]}. */
    static NDArray value(NDArray qLogits, NDArray targets, TwoHotBins bins, float rho) {
        NDArray ce = crossEntropy(qLogits, targets.expandDims(0), bins);
        return overHorizon(ce.mean(new int[] {0}).mean(new int[] {0}), rho);
    }

    /** Two distinct heads of {@code numQ}, drawn uniformly. */
    static int[] drawTwo(int numQ, SplittableRandom rng) {
        int i = rng.nextInt(numQ);
        int j = rng.nextInt(numQ - 1);
        return new int[] {i, j >= i ? j + 1 : j};
    }

    /**
     * {@code y = r + γ c min(q[draw0], q[draw1])} of rewards {@code [...]}, continuation flags
     * {@code c = 1 - terminal [...]} and the values of every head {@code q [Q, ...]}.
     */
    static NDArray tdTarget(NDArray reward, NDArray cont, float gamma, NDArray q, int[] draw) {
        NDArray min = q.get(draw[0]).minimum(q.get(draw[1]));
        return reward.add(Scalars.mul(cont.mul(min), gamma));
    }

    /**
     * {@code L_π} of the Q values {@code [B, T]} and scaled entropies {@code [B, T]} of the policy's
     * actions at {@code T = H + 1} latents, with the Q scale {@code S}.
     */
    static NDArray policy(NDArray q, NDArray scaledEntropy, float entropyCoef, float scale, float rho) {
        NDArray perStep = Scalars.mul(scaledEntropy, entropyCoef).add(Scalars.div(q, scale)).neg().mean(new int[] {0});
        return overHorizon(perStep, rho);
    }
}
