package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.tensor.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The losses of V and M as pure functions of tensors: each returns the scalar to differentiate and
 * its parts as metrics; the optimiser steps are the agent's.
 */
final class WorldModelsLosses {
    private static final float HALF_LOG_TWO_PI = (float) (0.5 * Math.log(2 * Math.PI));

    private WorldModelsLosses() {}

    /** A scalar loss and the values reported with it. */
    record Loss(NDArray total, Map<String, Double> metrics) {}

    /**
     * V's loss: the squared reconstruction error summed over pixels, plus the KL divergence of the
     * posterior {@code N(mu, exp(logVar))} from {@code N(0, I)} summed over z, held at least at
     * {@code klTolerance * z} (the paper's free bits, so V is not pushed below that information),
     * both averaged over the batch.
     *
     * @param images targets {@code [B, 3, 64, 64]} in [0, 1]
     * @param recon reconstructions, same shape
     * @param mu posterior means {@code [B, z]}
     * @param logVar posterior log-variances {@code [B, z]}
     */
    static Loss vae(NDArray images, NDArray recon, NDArray mu, NDArray logVar, float klTolerance) {
        NDArray r = recon.sub(images).square().sum(new int[] {1, 2, 3}).mean();
        NDArray kl = kl(mu, logVar);
        long z = mu.getShape().get(1);
        NDArray klHeld = Scalars.maximum(kl, klTolerance * z).mean();
        NDArray total = r.add(klHeld);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("vae/reconstruction", (double) r.getFloat());
        m.put("vae/kl", (double) kl.mean().getFloat());
        m.put("vae/loss", (double) total.getFloat());
        return new Loss(total, m);
    }

    /** {@code KL(N(mu, exp(logVar)) || N(0, I))} per sample, summed over z: {@code [B]}. */
    static NDArray kl(NDArray mu, NDArray logVar) {
        return Scalars.mul(logVar.add(1f).sub(mu.square()).sub(logVar.exp()).sum(new int[] {1}), -0.5f);
    }

    /**
     * Negative log-likelihood of {@code target [B, z]} under the mixtures {@code [B, z, K]}, per
     * sample and z dimension: {@code -log Σ_k π_k N(y; μ_k, σ_k)}, {@code [B, z]}.
     */
    static NDArray mixtureNll(MdnRnn.Mixture m, NDArray target) {
        NDArray y = target.expandDims(2);
        NDArray standard = y.sub(m.mu()).div(m.logSigma().exp());
        NDArray logNormal = Scalars.mul(standard.square(), -0.5f).sub(m.logSigma()).sub(HALF_LOG_TWO_PI);
        return logSumExp(m.logPi().add(logNormal), 2).neg();
    }

    /** {@code log Σ exp(x)} over {@code axis}, shifted by the maximum so it never overflows. */
    static NDArray logSumExp(NDArray x, int axis) {
        NDArray max = x.max(new int[] {axis}, true).stopGradient();
        return x.sub(max).exp().sum(new int[] {axis}, true).log().add(max).squeeze(axis);
    }

    /**
     * M's loss over a sequence batch: the mixture NLL of the next z averaged over z dimensions and the
     * unmasked steps, plus (when M predicts it) the binary cross-entropy of the episode's end, the
     * steps where it ends weighted {@code doneWeight} and the sum divided by the number of steps (as
     * the paper's code weights its rare "restart" steps, so that M's end logit crosses 0 where its
     * unweighted probability passes {@code 1 / (1 + doneWeight)}).
     *
     * @param nll mixture NLL {@code [B, T, z]} ({@link #mixtureNll} per step)
     * @param doneLogits end logits {@code [B, T]}, or null
     * @param done end targets {@code [B, T]} (1 where the episode ends at that step)
     * @param mask 1 for real steps, 0 for padding {@code [B, T]}
     * @param doneWeight weight of the steps where {@code done} is 1 (1: the plain mean)
     */
    static Loss mdn(NDArray nll, NDArray doneLogits, NDArray done, NDArray mask, float doneWeight) {
        long z = nll.getShape().get(2);
        NDArray steps = Scalars.maximum(mask.sum(), 1f);
        NDArray zLoss = nll.mean(new int[] {2}).mul(mask).sum().div(steps);
        NDArray total = zLoss;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rnn/z_nll", (double) zLoss.getFloat());
        if (doneLogits != null) {
            NDArray weight = Scalars.mul(done, doneWeight - 1f).add(1f);
            NDArray bce = bce(doneLogits, done).mul(weight).mul(mask).sum().div(steps);
            total = total.add(bce);
            m.put("rnn/done_bce", (double) bce.getFloat());
        }
        m.put("rnn/loss", (double) total.getFloat());
        m.put("rnn/z_size", (double) z);
        return new Loss(total, m);
    }

    /** Binary cross-entropy of logits {@code x} against 0/1 targets {@code y}, elementwise, stable for large |x|. */
    static NDArray bce(NDArray x, NDArray y) {
        // max(x, 0) - x y + log(1 + exp(-|x|))
        return Scalars.maximum(x, 0f).sub(x.mul(y)).add(x.abs().neg().exp().add(1f).log());
    }

    /**
     * The mixture that sampling at temperature {@code tau} draws from: weights {@code softmax(log π / τ)},
     * standard deviations {@code σ √τ} (the paper's temperature; τ = 1 leaves the mixture as it is).
     */
    static MdnRnn.Mixture withTemperature(MdnRnn.Mixture m, float tau) {
        NDArray logPi = Scalars.div(m.logPi(), tau).logSoftmax(2);
        NDArray logSigma = m.logSigma().add((float) (0.5 * Math.log(tau)));
        return new MdnRnn.Mixture(logPi, m.mu(), logSigma, m.doneLogit());
    }
}
