package io.worldgate.runtime.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.worldgate.runtime.tensor.Scalars;
import java.util.List;

/**
 * A target network that trails an online network by an exponential moving average of its
 * parameters: every {@code every}-th call of {@link #update()},
 *
 * <pre>
 *   θ' ← (1 - τ) θ' + τ θ
 * </pre>
 *
 * DreamerV3's slow critic uses {@code τ = 0.02} every step; TD-MPC2's target Q networks
 * {@code τ = 0.01}. The target block should be a second instance of the online block's
 * architecture, initialised with the same shapes; its parameters are frozen (no gradients) by
 * the constructor. Parameters are paired by position and their shapes checked. Call outside a
 * {@link GradientScope}.
 */
public final class EmaTarget {
    private final List<Parameter> source;
    private final List<Parameter> target;
    private final float tau;
    private final int every;
    private long calls;

    /**
     * @param source the online parameters {@code θ}
     * @param target the target parameters {@code θ'}, paired with {@code source} by position
     * @param tau the fraction {@code τ} in (0, 1]
     * @param every apply the average on every {@code every}-th call (>= 1)
     */
    public EmaTarget(List<Parameter> source, List<Parameter> target, float tau, int every) {
        if (!(tau > 0 && tau <= 1)) {
            throw new IllegalArgumentException("tau must be in (0, 1], not " + tau);
        }
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1");
        }
        if (source.size() != target.size()) {
            throw new IllegalArgumentException("source has " + source.size() + " parameters, target " + target.size());
        }
        for (int i = 0; i < source.size(); i++) {
            var s = source.get(i).getArray().getShape();
            var t = target.get(i).getArray().getShape();
            if (!s.equals(t)) {
                throw new IllegalArgumentException("parameter " + i + " ('" + source.get(i).getName() + "') has shape "
                        + s + " in the source and " + t + " in the target");
            }
        }
        this.source = List.copyOf(source);
        this.target = List.copyOf(target);
        this.tau = tau;
        this.every = every;
        for (Parameter p : this.target) {
            p.freeze(true);
        }
    }

    /** Pairs all parameters of two initialised blocks of the same architecture. */
    public static EmaTarget of(Block source, Block target, float tau, int every) {
        return new EmaTarget(Parameters.all(source), Parameters.all(target), tau, every);
    }

    public float tau() {
        return tau;
    }

    public int every() {
        return every;
    }

    /** Sets {@code θ' ← θ} (at the start of training). */
    public void copyNow() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < source.size(); i++) {
                NDArray s = source.get(i).getArray().stopGradient();
                target.get(i).getArray().set(new NDIndex("..."), s);
            }
        }
    }

    /**
     * Counts a call and, on every {@code every}-th, applies {@code θ' ← (1 - τ) θ' + τ θ}.
     *
     * @return whether the average was applied
     */
    public boolean update() {
        calls++;
        if (calls % every != 0) {
            return false;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (int i = 0; i < source.size(); i++) {
                NDArray s = source.get(i).getArray().stopGradient();
                target.get(i).getArray().muli(1 - tau).addi(Scalars.mul(s, tau));
            }
        }
        return true;
    }
}
