package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * Elementwise Bernoulli distributions given by logits {@code l}, {@code p = σ(l)}: Dreamer's
 * continue predictor. In stable form,
 *
 * <pre>
 *   log p(x) = -(x softplus(-l) + (1 - x) softplus(l))
 *   H = p softplus(-l) + (1 - p) softplus(l)
 * </pre>
 *
 * Samples are 0/1 floats without gradient; the mode is {@code 1} where {@code l > 0}.
 */
public final class Bernoulli implements Distribution {
    private final NDArray logits;

    public Bernoulli(NDArray logits) {
        this.logits = logits;
    }

    public NDArray logits() {
        return logits;
    }

    /** {@code σ(l)}. */
    public NDArray probs() {
        return Activation.sigmoid(logits);
    }

    @Override
    public NDArray sample() {
        NDArray p = probs().stopGradient();
        NDArray u = p.getManager().randomUniform(0f, 1f, p.getShape(), p.getDataType());
        return u.lt(p).toType(p.getDataType(), false);
    }

    @Override
    public NDArray mode() {
        return logits.stopGradient().gt(0).toType(logits.getDataType(), false);
    }

    @Override
    public NDArray logProb(NDArray value) {
        NDArray spNeg = Activation.softPlus(logits.neg());
        NDArray spPos = Activation.softPlus(logits);
        return value.mul(spNeg).add(value.neg().add(1).mul(spPos)).neg();
    }

    @Override
    public NDArray entropy() {
        NDArray p = probs();
        NDArray spNeg = Activation.softPlus(logits.neg());
        NDArray spPos = Activation.softPlus(logits);
        return p.mul(spNeg).add(p.neg().add(1).mul(spPos));
    }

    @Override
    public Bernoulli stopGradient() {
        return new Bernoulli(logits.stopGradient());
    }
}
