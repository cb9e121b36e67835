package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A latent model whose optimal plans are known in closed form: {@code z' = z + a} (A = B = I,
 * latent and action both 2-D), reward for the transition {@code r(z, a) = -|z + a - z*|^2 - c|a|^2},
 * no terminal value, no discount.
 *
 * <p>Horizon 1: {@code r} is a separable concave quadratic in {@code a}; per dimension
 * {@code dr/da = -2(z + a - z*) - 2ca = 0} gives {@code a = (z* - z) / (1 + c)}, and on the box
 * {@code [-1, 1]} a separable concave quadratic peaks at its unconstrained peak clamped to the box:
 * {@code a* = clamp((z* - z) / (1 + c), -1, 1)}.
 *
 * <p>Horizon 2 (unconstrained), with {@code e = z - z*}: {@code J = (e + a0)^2 + c a0^2 +
 * (e + a0 + a1)^2 + c a1^2} to minimise. {@code dJ/da1 = 0} gives {@code a1 = -(e + a0) / (1 + c)},
 * so {@code e + a0 + a1 = (e + a0) c / (1 + c)}; then {@code dJ/da0 = 0}:
 * {@code (e + a0)(1 + c/(1 + c)) + c a0 = 0}, i.e. {@code (e + a0)(1 + 2c) + c(1 + c) a0 = 0}, so
 * {@code a0* = -e (1 + 2c) / (1 + 3c + c^2)}. With {@code c = 1}: {@code a0* = -0.6 e},
 * {@code a1* = -0.2 e} (inside the box while {@code |e| <= 1.66}).
 */
final class QuadraticToy implements LatentModel {
    static final float[] TARGET = {0.5f, -0.3f};
    static final float C = 1f;

    private final NDArray target;

    QuadraticToy(NDManager m) {
        this.target = m.create(TARGET, new ai.djl.ndarray.types.Shape(1, 2));
    }

    @Override
    public NDArray next(NDArray z, NDArray a) {
        return z.add(a);
    }

    @Override
    public NDArray reward(NDArray z, NDArray a) {
        NDArray miss = z.add(a).sub(target).square().sum(new int[] {1});
        return miss.add(a.square().sum(new int[] {1}).mul(C)).neg();
    }

    @Override
    public NDArray terminalValue(NDArray z) {
        return z.get(":, 0").zerosLike();
    }

    /** The horizon-1 optimum from {@code z}. */
    static float[] oneStepOptimum(float[] z) {
        float[] a = new float[2];
        for (int i = 0; i < 2; i++) {
            a[i] = Math.max(-1f, Math.min(1f, (TARGET[i] - z[i]) / (1 + C)));
        }
        return a;
    }

    /** The first action of the horizon-2 optimum from {@code z} (c = 1, inside the box). */
    static float[] twoStepFirstOptimum(float[] z) {
        return new float[] {-0.6f * (z[0] - TARGET[0]), -0.6f * (z[1] - TARGET[1])};
    }

    /** The second action of the horizon-2 optimum from {@code z} (c = 1, inside the box). */
    static float[] twoStepSecondOptimum(float[] z) {
        return new float[] {-0.2f * (z[0] - TARGET[0]), -0.2f * (z[1] - TARGET[1])};
    }

    /** A prior that always proposes the horizon-1 optimum of the latent it is given. */
    ActionPrior optimalPrior() {
        return z -> z.neg().add(target).div(1 + C).clip(-1, 1);
    }
}
