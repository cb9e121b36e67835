package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * C, the controller: a linear map of {@code [z, h]} to the action, or (with {@code hidden > 0}) the
 * paper's variant with one tanh hidden layer. Its weights are one flat vector, the point CMA-ES
 * searches over: {@code W1 [in, out1]}, {@code b1 [out1]}, then, with a hidden layer,
 * {@code W2 [hidden, actions]}, {@code b2 [actions]}.
 *
 * <p>Outputs: for a box, {@code tanh} of the last layer, the model's actions in [-1, 1], which the
 * host maps linearly onto the box's bounds; for {@code n} discrete actions, the one-hot vector of
 * the largest of the {@code n} outputs. With {@code carControls} (the paper's CarRacing controls,
 * {@code action_map=carracing}) the brake is {@code max(a2, 0)} instead of {@code (a2 + 1) / 2}:
 * half of its output range does not brake, so a controller near zero drives at half gas. The
 * action returned is the model action that the host maps onto exactly that brake,
 * {@code 2 max(a2, 0) - 1}, which is also what M is shown, as in its training on stored actions.
 *
 * <p>It evaluates many candidates at once: the weights of {@code P} candidates are stacked to
 * {@code [P, in, out]}, the inputs are {@code [P, R, in]}, one batched matrix product.
 */
record Controller(int inputs, int hidden, int actions, boolean discrete, boolean carControls) {
    /** CarRacing's action dimensions: steer, gas, brake. */
    static final int CAR_ACTIONS = 3;
    private static final int BRAKE = 2;

    Controller {
        if (carControls && (discrete || actions != CAR_ACTIONS)) {
            throw new IllegalArgumentException("car controls need " + CAR_ACTIONS + " continuous actions, got " + actions);
        }
    }

    /** A controller whose box actions the host maps linearly (every environment but the paper's CarRacing). */
    Controller(int inputs, int hidden, int actions, boolean discrete) {
        this(inputs, hidden, actions, discrete, false);
    }

    /** Stacked weights of {@code P} candidates. */
    record Weights(NDArray w1, NDArray b1, NDArray w2, NDArray b2) {}

    /** Length of the flat weight vector. */
    int dimension() {
        if (hidden == 0) {
            return inputs * actions + actions;
        }
        return inputs * hidden + hidden + hidden * actions + actions;
    }

    /** The candidates' weights {@code params[P][dimension()]} as tensors in {@code manager}. */
    Weights weights(NDManager manager, double[][] params) {
        int p = params.length;
        int first = hidden == 0 ? actions : hidden;
        float[] w1 = new float[p * inputs * first];
        float[] b1 = new float[p * first];
        float[] w2 = hidden == 0 ? null : new float[p * hidden * actions];
        float[] b2 = hidden == 0 ? null : new float[p * actions];
        for (int c = 0; c < p; c++) {
            double[] v = params[c];
            if (v.length != dimension()) {
                throw new IllegalArgumentException("controller weights have " + v.length + " values, need " + dimension());
            }
            int k = 0;
            for (int i = 0; i < inputs * first; i++) {
                w1[c * inputs * first + i] = (float) v[k++];
            }
            for (int i = 0; i < first; i++) {
                b1[c * first + i] = (float) v[k++];
            }
            if (hidden > 0) {
                for (int i = 0; i < hidden * actions; i++) {
                    w2[c * hidden * actions + i] = (float) v[k++];
                }
                for (int i = 0; i < actions; i++) {
                    b2[c * actions + i] = (float) v[k++];
                }
            }
        }
        return new Weights(manager.create(w1, new Shape(p, inputs, first)), manager.create(b1, new Shape(p, 1, first)),
                hidden == 0 ? null : manager.create(w2, new Shape(p, hidden, actions)),
                hidden == 0 ? null : manager.create(b2, new Shape(p, 1, actions)));
    }

    /** Model actions {@code [P, R, A]} of the {@code P} candidates for their inputs {@code [P, R, inputs]}. */
    NDArray act(Weights w, NDArray x) {
        NDArray out = x.matMul(w.w1()).add(w.b1());
        if (hidden > 0) {
            out = out.tanh().matMul(w.w2()).add(w.b2());
        }
        if (discrete) {
            return out.argMax(2).oneHot(actions, DataType.FLOAT32);
        }
        NDArray a = out.tanh();
        if (!carControls) {
            return a;
        }
        NDArray brake = Scalars.mul(Scalars.maximum(a.get(":, :, " + BRAKE + ":"), 0f), 2f).sub(1f);
        return a.get(":, :, :" + BRAKE).concat(brake, 2);
    }
}
