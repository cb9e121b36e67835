package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import io.worldgate.runtime.tensor.Scalars;

/**
 * DreamerV3's symmetric log squashing and its inverse:
 *
 * <pre>
 *   symlog(x) = sign(x) ln(1 + |x|)        symexp(y) = sign(y) (exp(|y|) - 1)
 * </pre>
 *
 * <p>Both are computed as {@code s * f(s * x)} with {@code s = +1 for x >= 0, -1 otherwise}
 * (a constant for autograd). That form has the true derivative everywhere, including
 * {@code d symlog/dx = d symexp/dy = 1} at 0; the textbook form {@code sign(x) ln(1+|x|)} gets a
 * zero gradient at exactly 0 from autograd, because the derivative of {@code sign} and of
 * {@code |x|} at 0 are taken as 0.
 */
public final class Symlog {
    private Symlog() {}

    /** {@code sign(x) ln(1 + |x|)}, elementwise. */
    public static NDArray symlog(NDArray x) {
        NDArray s = signNoZero(x);
        return x.mul(s).add(1).log().mul(s);
    }

    /** {@code sign(y) (exp(|y|) - 1)}, elementwise; the inverse of {@link #symlog}. */
    public static NDArray symexp(NDArray y) {
        NDArray s = signNoZero(y);
        return y.mul(s).exp().sub(1).mul(s);
    }

    /** Scalar {@code symlog}. */
    public static double symlog(double x) {
        return Math.signum(x) * Math.log1p(Math.abs(x));
    }

    /** Scalar {@code symexp}. */
    public static double symexp(double y) {
        return Math.signum(y) * Math.expm1(Math.abs(y));
    }

    /** +1 where {@code x >= 0}, -1 elsewhere, in x's dtype; carries no gradient. */
    private static NDArray signNoZero(NDArray x) {
        return Scalars.mul(x.gte(0).toType(x.getDataType(), false), 2f).sub(1);
    }
}
