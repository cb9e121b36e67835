package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * TD(λ) returns over a trajectory of {@code T} steps, computed backwards from a bootstrap value:
 *
 * <pre>
 *   R^λ_t = r_t + γ c_t ((1 - λ) v_{t+1} + λ R^λ_{t+1})      for t = T-1, ..., 0
 *   R^λ_T = v_T                                             (bootstrap at the horizon)
 * </pre>
 *
 * where, for the transition from state {@code s_t} to {@code s_{t+1}}: {@code r_t} is its reward;
 * {@code c_t ∈ [0, 1]} is the continue flag of {@code s_{t+1}} (0 when the episode terminated
 * there, or DreamerV3's predicted continue probability); {@code v_t} is the critic's value of
 * {@code s_t} ({@code T + 1} values, the last one the bootstrap); {@code γ} is the discount (0.997
 * in DreamerV3); {@code λ} trades the bootstrapped estimate ({@code λ = 0}, one-step TD) against
 * the Monte-Carlo return ({@code λ = 1}), 0.95 in DreamerV3.
 *
 * <p>Note on indexing: DreamerV3's code stores the reward and continue of a transition with the
 * state it leads to ({@code rew[1:]}, {@code cont[1:]}); pass those slices here as {@code r} and
 * {@code c}.
 */
public final class LambdaReturns {
    private LambdaReturns() {}

    /**
     * @param rewards {@code r [B, T, ...]}
     * @param continues {@code c [B, T, ...]}
     * @param values {@code v [B, T + 1, ...]}; {@code v_T} is the bootstrap
     * @param gamma discount {@code γ}
     * @param lambda {@code λ}
     * @return {@code R^λ [B, T, ...]}
     */
    public static NDArray compute(NDArray rewards, NDArray continues, NDArray values, float gamma, float lambda) {
        Shape rs = rewards.getShape();
        if (rs.dimension() < 2) {
            throw new IllegalArgumentException("rewards must be [B, T, ...], got " + rs);
        }
        if (!continues.getShape().equals(rs)) {
            throw new IllegalArgumentException("continues " + continues.getShape() + " do not match rewards " + rs);
        }
        int steps = Math.toIntExact(rs.get(1));
        Shape vs = values.getShape();
        if (vs.dimension() != rs.dimension() || vs.get(0) != rs.get(0) || vs.get(1) != steps + 1
                || !vs.slice(2).equals(rs.slice(2))) {
            throw new IllegalArgumentException("values must be [B, T + 1, ...] = " + rs.get(0) + ", " + (steps + 1)
                    + " for rewards " + rs + ", got " + vs);
        }
        NDArray[] out = new NDArray[steps];
        NDArray next = values.get(":, {}", steps);
        for (int t = steps - 1; t >= 0; t--) {
            NDArray blend = Scalars.mul(values.get(":, {}", t + 1), 1 - lambda).add(Scalars.mul(next, lambda));
            next = rewards.get(":, {}", t).add(Scalars.mul(continues.get(":, {}", t), gamma).mul(blend));
            out[t] = next;
        }
        return NDArrays.stack(new NDList(out), 1);
    }
}
