package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * C, the controller: a linear map of {@code [z, h]} to the action, or (with {@code hidden > 0}) the
 * paper's variant with one tanh hidden layer. With {@code readsCell} it reads {@code [z, c, h]}, M's
 * LSTM cell state too (the paper code's Doom controller). Its weights are one flat vector, the point
 * CMA-ES searches over: {@code W1 [in, out1]}, {@code b1 [out1]}, then, with a hidden layer,
 * {@code W2 [hidden, outputs]}, {@code b2 [outputs]}; the last layer's bias is left out with
 * {@code thresholds}.
 *
 * <p>Outputs: for a box, {@code tanh} of the last layer, the model's actions in [-1, 1], which the
 * host maps linearly onto the box's bounds; for {@code n} discrete actions, the one-hot vector of
 * the largest of the {@code n} outputs. With {@code thresholds} (the paper code's Doom controller,
 * {@code action_map=doom}, 3 discrete actions) the last layer is one output without bias, whose
 * {@code tanh} below {@code -1/3} picks action 1 (left), above {@code 1/3} action 2 (right), and
 * action 0 (stay) in between. With {@code carControls} (the paper's CarRacing controls,
 * {@code action_map=carracing}) the brake is {@code max(a2, 0)} instead of {@code (a2 + 1) / 2}:
 * half of its output range does not brake, so a controller near zero drives at half gas. The
 * action returned is the model action that the host maps onto exactly that brake,
 * {@code 2 max(a2, 0) - 1}, which is also what M is shown, as in its training on stored actions.
 *
 * <p>It evaluates many candidates at once: the weights of {@code P} candidates are stacked to
 * {@code [P, in, out]}, the inputs are {@code [P, R, in]}, one batched matrix product.
 */
record Controller(int inputs, int hidden, int actions, boolean discrete, boolean carControls, boolean readsCell,
        boolean thresholds) {
    /** CarRacing's action dimensions: steer, gas, brake. */
    static final int CAR_ACTIONS = 3;
    /** The thresholded output's actions: stay, left, right (Doom TakeCover's). */
    static final int THRESHOLD_ACTIONS = 3;
    /** Where the thresholded output's tanh leaves the middle action (the paper's code: 0.3333). */
    static final float THRESHOLD = 1f / 3;
    private static final int BRAKE = 2;

    Controller {
        if (carControls && (discrete || actions != CAR_ACTIONS)) {
            throw new IllegalArgumentException("car controls need " + CAR_ACTIONS + " continuous actions, got " + actions);
        }
        if (thresholds && (!discrete || actions != THRESHOLD_ACTIONS)) {
            throw new IllegalArgumentException("the thresholded output needs " + THRESHOLD_ACTIONS + " discrete actions");
        }
    }

    /** A controller on {@code [z, h]} whose box actions the host maps linearly, or the paper's car controls. */
    Controller(int inputs, int hidden, int actions, boolean discrete, boolean carControls) {
        this(inputs, hidden, actions, discrete, carControls, false, false);
    }

    /** A controller on {@code [z, h]} whose box actions the host maps linearly (every environment but the paper's CarRacing). */
    Controller(int inputs, int hidden, int actions, boolean discrete) {
        this(inputs, hidden, actions, discrete, false);
    }

    /** Values of the last layer: one with {@code thresholds}, else one per action. */
    int outputs() {
        return thresholds ? 1 : actions;
    }

    /** C's input {@code [N, inputs]}: {@code [z, h]}, or {@code [z, c, h]} with {@code readsCell}. */
    NDArray input(NDArray z, MdnRnn.State state) {
        NDArray zc = readsCell ? z.concat(state.c(), 1) : z;
        return zc.concat(state.h(), 1);
    }

    /** Stacked weights of {@code P} candidates. */
    record Weights(NDArray w1, NDArray b1, NDArray w2, NDArray b2) {}

    /** Length of the flat weight vector. */
    int dimension() {
        int lastBias = thresholds ? 0 : outputs();
        if (hidden == 0) {
            return inputs * outputs() + lastBias;
        }
        return inputs * hidden + hidden + hidden * outputs() + lastBias;
    }

    /** The candidates' weights {@code params[P][dimension()]} as tensors in {@code manager}. */
    Weights weights(NDManager manager, double[][] params) {
        int p = params.length;
        int out = outputs();
        int first = hidden == 0 ? out : hidden;
        float[] w1 = new float[p * inputs * first];
        float[] b1 = new float[p * first];
        float[] w2 = hidden == 0 ? null : new float[p * hidden * out];
        float[] b2 = hidden == 0 ? null : new float[p * out];
        boolean biasLast = !thresholds;
        for (int c = 0; c < p; c++) {
            double[] v = params[c];
            if (v.length != dimension()) {
                throw new IllegalArgumentException("controller weights have " + v.length + " values, need " + dimension());
            }
            int k = 0;
            for (int i = 0; i < inputs * first; i++) {
                w1[c * inputs * first + i] = (float) v[k++];
            }
            if (hidden > 0 || biasLast) { // the thresholded output has no bias (b1 stays zero)
                for (int i = 0; i < first; i++) {
                    b1[c * first + i] = (float) v[k++];
                }
            }
            if (hidden > 0) {
                for (int i = 0; i < hidden * out; i++) {
                    w2[c * hidden * out + i] = (float) v[k++];
                }
                if (biasLast) {
                    for (int i = 0; i < out; i++) {
                        b2[c * out + i] = (float) v[k++];
                    }
                }
            }
        }
        return new Weights(manager.create(w1, new Shape(p, inputs, first)), manager.create(b1, new Shape(p, 1, first)),
                hidden == 0 ? null : manager.create(w2, new Shape(p, hidden, out)),
                hidden == 0 ? null : manager.create(b2, new Shape(p, 1, out)));
    }

    /** Model actions {@code [P, R, A]} of the {@code P} candidates for their inputs {@code [P, R, inputs]}. */
    NDArray act(Weights w, NDArray x) {
        NDArray out = x.matMul(w.w1()).add(w.b1());
        if (hidden > 0) {
            out = out.tanh().matMul(w.w2()).add(w.b2());
        }
        if (thresholds) {
            return thresholdActions(out.tanh());
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

    /**
     * One-hot actions {@code [.., 3]} of the thresholded output {@code y [.., 1]} in [-1, 1]: left
     * (1) below {@code -1/3}, right (2) above {@code 1/3}, stay (0) from {@code -1/3} to {@code 1/3}.
     */
    static NDArray thresholdActions(NDArray y) {
        NDArray left = y.lt(-THRESHOLD).toType(DataType.FLOAT32, false);
        NDArray right = y.gt(THRESHOLD).toType(DataType.FLOAT32, false);
        NDArray stay = left.add(right).neg().add(1f);
        return stay.concat(left, -1).concat(right, -1);
    }
}
