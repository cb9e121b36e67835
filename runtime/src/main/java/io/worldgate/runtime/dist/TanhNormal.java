package io.worldgate.runtime.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.worldgate.runtime.tensor.Scalars;

/**
 * Elementwise {@code a = tanh(u)}, {@code u ~ N(μ, σ²)}: a Normal squashed into (-1, 1), for
 * bounded continuous actions. By the change of variables,
 *
 * <pre>
 *   log p(a) = log N(atanh(a); μ, σ) - ln(1 - a²)
 * </pre>
 *
 * where {@code -ln(1 - a²) = -ln(1 - tanh²(u))} is the log-Jacobian correction; it is computed in
 * the stable form {@code ln(1 - tanh²u) = 2 (ln 2 - u - softplus(-2u))}. Wrap in
 * {@link Independent} to sum over action dimensions. {@link #mode()} is {@code tanh(μ)}, the usual
 * choice for evaluation (the true mode of the squashed density can differ). There is no closed
 * form entropy: use {@code -logProb(sample)} as an estimate ({@link #sampleWithLogProb()}).
 */
public final class TanhNormal implements Distribution {
    private static final double LN2 = Math.log(2);
    private static final float EDGE = 1 - 1e-6f;

    private final Normal normal;

    public TanhNormal(NDArray mean, NDArray std) {
        this.normal = new Normal(mean, std);
    }

    /** The Normal before squashing. */
    public Normal base() {
        return normal;
    }

    @Override
    public NDArray sample() {
        return normal.sample().tanh();
    }

    /**
     * A reparameterised sample and its log-probability, computed from the pre-squash value
     * (more accurate than {@code logProb(sample())} near ±1).
     *
     * @return {@code (a, log p(a))}, both elementwise
     */
    public NDList sampleWithLogProb() {
        NDArray u = normal.sample();
        NDArray a = u.tanh();
        return new NDList(a, normal.logProb(u).sub(logDetJacobian(u)));
    }

    @Override
    public NDArray mode() {
        return normal.mean().tanh();
    }

    /**
     * {@code log p(a)}; {@code a} is clipped to ±(1 - 1e-6) so that {@code atanh} stays finite.
     */
    @Override
    public NDArray logProb(NDArray value) {
        NDArray a = value.clip(-EDGE, EDGE);
        // atanh(a) = ½ ln((1 + a) / (1 - a)); DJL's PyTorch engine does not implement atanh
        NDArray u = Scalars.mul(a.add(1).log().sub(a.neg().add(1).log()), 0.5f);
        return normal.logProb(u).sub(logDetJacobian(u));
    }

    /** {@code ln(1 - tanh²(u)) = 2 (ln 2 - u - softplus(-2u))}. */
    static NDArray logDetJacobian(NDArray u) {
        NDArray softplus = Activation.softPlus(Scalars.mul(u, -2f));
        return Scalars.mul(u.neg().add((float) LN2).sub(softplus), 2f);
    }

    @Override
    public TanhNormal stopGradient() {
        return new TanhNormal(normal.mean().stopGradient(), normal.std().stopGradient());
    }
}
