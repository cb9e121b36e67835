package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.worldgate.runtime.dist.SymexpTwoHot;
import io.worldgate.runtime.math.TwoHot;
import io.worldgate.runtime.tensor.Scalars;

/**
 * DreamerV3's replay value loss (its later releases, weighted 0.3 there): the critic also fits
 * λ-returns along a replayed sequence of {@code T} steps, bootstrapped from the λ-return
 * {@code b_t} that imagination found from each replayed state {@code s_t}:
 *
 * <pre>
 *   R_t     = r_{t+1} + γ (1 - term_{t+1}) ((1 - λ_{t+1}) b_{t+1} + λ_{t+1} R_{t+1}),    λ_{t+1} = λ (1 - last_{t+1})
 *   R_{T-1} = b_{T-1}
 *   w_t     = (1 - last_t) mask_t                                                         for t = 0 .. T-2
 * </pre>
 *
 * {@code r_t} is the reward received on arriving at step {@code t} and {@code term_t} its terminal
 * flag (the experience's alignment). {@code last_t} marks a step after which the sequence does not
 * go on in the same episode: the next step starts an episode or is padding. The return does not
 * cross it (it bootstraps from {@code b} there), and such a step gets no loss ({@code w_t = 0}),
 * since its own return would need the step after it. The loss, with the slow critic's regulariser
 * as in imagination, averaged over the stored steps {@code 0 .. T-2}:
 *
 * <pre>
 *   L = Σ_t w_t [ -ln p_ψ(sg(R_t) | s_t) - β_slow ln p_ψ(sg(v_slow(s_t)) | s_t) ] / Σ_t mask_t
 * </pre>
 */
final class ReplayValueLoss {
    private ReplayValueLoss() {}

    /**
     * @param returns {@code R [B, T-1]}
     * @param weights {@code w [B, T-1]}
     */
    record Targets(NDArray returns, NDArray weights) {}

    /**
     * @param rewards {@code r [B, T]}
     * @param isFirst {@code [B, T]}, 1 where an episode starts
     * @param isTerminal {@code term [B, T]}
     * @param mask {@code [B, T]}, 1 for stored steps, 0 for padding
     * @param boot {@code b [B, T]}, imagined λ-returns (treated as constants)
     */
    static Targets targets(NDArray rewards, NDArray isFirst, NDArray isTerminal, NDArray mask, NDArray boot, float gamma,
            float lambda) {
        int steps = Math.toIntExact(rewards.getShape().get(1));
        if (steps < 2) {
            throw new IllegalArgumentException("need sequences of at least 2 steps, got " + rewards.getShape());
        }
        NDArray b = boot.stopGradient();
        // last_t for t = 0 .. T-2: the next step starts an episode or is padding
        NDArray last = isFirst.get(":, 1:").maximum(mask.get(":, 1:").neg().add(1f));
        NDArray live = Scalars.mul(isTerminal.get(":, 1:").neg().add(1f), gamma);  // γ (1 - term_{t+1})
        NDArray[] out = new NDArray[steps - 1];
        NDArray ret = b.get(":, {}", steps - 1);
        for (int t = steps - 2; t >= 0; t--) {
            // λ_{t+1} = λ (1 - last_{t+1}); last_{T-1} does not matter, since R_{T-1} = b_{T-1}
            NDArray lam = t + 1 < steps - 1 ? Scalars.mul(last.get(":, {}", t + 1).neg().add(1f), lambda) : null;
            NDArray blend = lam == null ? b.get(":, {}", t + 1)
                    : b.get(":, {}", t + 1).add(lam.mul(ret.sub(b.get(":, {}", t + 1))));
            ret = rewards.get(":, {}", t + 1).add(live.get(":, {}", t).mul(blend));
            out[t] = ret;
        }
        NDArray weights = last.neg().add(1f).mul(mask.get(":, :-1"));
        return new Targets(NDArrays.stack(new NDList(out), 1), weights);
    }

    /**
     * @param logp the critic's log-probabilities over its bins at {@code s_0 .. s_{T-2}}: {@code [B, T-1, n]}
     * @param targets {@link #targets}
     * @param slowValues {@code v_slow(s_t) [B, T-1]}
     * @param mask {@code [B, T]}
     * @param code the critic's two-hot code
     * @param slowRegularizer {@code β_slow}
     * @return {@code L}, a scalar
     */
    static NDArray loss(NDArray logp, Targets targets, NDArray slowValues, NDArray mask, TwoHot code,
            float slowRegularizer) {
        NDArray perStep = SymexpTwoHot.logProb(logp, code.locateValue(targets.returns()))
                .add(Scalars.mul(SymexpTwoHot.logProb(logp, code.locateValue(slowValues)), slowRegularizer)).neg();
        return perStep.mul(targets.weights()).sum().div(Scalars.maximum(mask.get(":, :-1").sum(), 1f));
    }
}
