package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.dist.Distribution;
import io.worldgate.runtime.tensor.Scalars;

/**
 * KL losses between the posterior {@code q(z | h, x)} and the prior {@code p(z | h)} of a
 * world model, with free bits. {@code sg(·)} is the stop-gradient ({@link
 * Distribution#stopGradient()}, which uses {@code NDArray.stopGradient()} on the parameters).
 *
 * <ul>
 *   <li><b>Free bits</b>: {@code max(free, KL)}, elementwise (per batch entry and time step,
 *       after summing over latents). Below {@code free} nats the loss is constant and its
 *       gradient is zero, so the model is not pushed to collapse an already small KL.</li>
 *   <li><b>DreamerV3</b>: {@code L_dyn = max(1, KL(sg(q) || p))} trains the prior towards the
 *       posterior, {@code L_rep = max(1, KL(q || sg(p)))} the posterior towards the prior; the
 *       world-model loss weights them 0.5 and 0.1.</li>
 *   <li><b>DreamerV2 KL balancing</b>: {@code α KL(sg(q) || p) + (1 - α) KL(q || sg(p))}, α = 0.8;
 *       the value equals {@code KL(q || p)}, only the gradients are split. Free bits here are
 *       applied to each term, elementwise.</li>
 * </ul>
 */
public final class KlLoss {
    private KlLoss() {}

    /** DreamerV3's two terms, each with the batch shape of the distributions. */
    public record DynRep(NDArray dyn, NDArray rep) {}

    /** {@code max(free, kl)}, elementwise. */
    public static NDArray freeBits(NDArray kl, float free) {
        return free > 0 ? Scalars.maximum(kl, free) : kl;
    }

    /**
     * DreamerV3's dynamics and representation losses.
     *
     * @param posterior {@code q}
     * @param prior {@code p}
     * @param freeNats free bits per element (1.0 in DreamerV3; 0 for none)
     */
    public static DynRep dynRep(Distribution posterior, Distribution prior, float freeNats) {
        NDArray dyn = posterior.stopGradient().kl(prior);
        NDArray rep = posterior.kl(prior.stopGradient());
        return new DynRep(freeBits(dyn, freeNats), freeBits(rep, freeNats));
    }

    /**
     * DreamerV2's balanced KL loss {@code α max(free, KL(sg(q)||p)) + (1-α) max(free, KL(q||sg(p)))}.
     *
     * @param alpha balance α (0.8 in DreamerV2)
     */
    public static NDArray balanced(Distribution posterior, Distribution prior, float alpha, float freeNats) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], not " + alpha);
        }
        DynRep parts = dynRep(posterior, prior, freeNats);
        return Scalars.mul(parts.dyn(), alpha).add(Scalars.mul(parts.rep(), 1 - alpha));
    }
}
