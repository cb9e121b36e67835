package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.worldgate.runtime.tensor.Scalars;

/**
 * TD-MPC2's policy prior: a Gaussian squashed by {@code tanh}. From the policy network's output
 * {@code [.., 2A]} (mean {@code μ} and an unbounded {@code s}) and standard normal noise {@code ε}:
 *
 * <pre>
 *   log σ = lo + ½ (hi - lo) (tanh(s) + 1)                  (lo = -10, hi = 2)
 *   u = μ + ε σ,   a = tanh(u)
 *   log N(u) = Σ_i (-½ ε_i² - log σ_i - ½ ln 2π)
 *   log π(a) = A log N(u) - Σ_i ln(1 - a_i² + 1e-6)        (the Gaussian term scaled by the action dimension A)
 * </pre>
 *
 * The entropy bonus of the policy loss is {@code -log π(a)}: scaling the Gaussian term by {@code A}
 * keeps the bonus comparable across action dimensions (the paper's "scaled entropy"; the authors'
 * first release). A pure function of its inputs.
 */
final class PolicyPrior {
    private static final float HALF_LN_2PI = 0.9189385f;

    /**
     * @param action {@code a [.., A]} in (-1, 1)
     * @param mean {@code tanh(μ) [.., A]}, the action the prior acts with in evaluation
     * @param logStd {@code log σ [.., A]}
     * @param scaledEntropy {@code -log π(a) [..]} with the Gaussian term scaled by {@code A}
     */
    record Sample(NDArray action, NDArray mean, NDArray logStd, NDArray scaledEntropy) {}

    private PolicyPrior() {}

    /** The prior's sample for network outputs {@code out [.., 2A]} and noise {@code eps [.., A]}. */
    static Sample sample(NDArray out, NDArray eps, float logStdMin, float logStdMax) {
        int last = out.getShape().dimension() - 1;
        long a = out.getShape().get(last) / 2;
        NDArray mu = out.get("..., :{}", a);
        NDArray raw = out.get("..., {}:", a);
        NDArray logStd = Scalars.mul(raw.tanh().add(1f), 0.5f * (logStdMax - logStdMin)).add(logStdMin);
        NDArray u = mu.add(eps.mul(logStd.exp()));
        NDArray action = u.tanh();
        NDArray gaussian = Scalars.mul(eps.square(), -0.5f).sub(logStd).sub(HALF_LN_2PI).sum(new int[] {last});
        NDArray squash = Activation.relu(action.square().neg().add(1f)).add(1e-6f).log().sum(new int[] {last});
        NDArray logPi = Scalars.mul(gaussian, (float) a).sub(squash);
        return new Sample(action, mu.tanh(), logStd, logPi.neg());
    }
}
