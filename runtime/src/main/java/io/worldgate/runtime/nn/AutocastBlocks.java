package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * DJL's linear and convolution blocks (the same parameters, initialisation and checkpoint format)
 * whose products run in the thread's {@link Autocast} precision, through {@link Products}.
 *
 * <p>They keep DJL's simple class names, {@code Linear} and {@code Conv2d}, on purpose: a
 * {@code SequentialBlock} names its children's parameters after them (such as
 * {@code 01Linear_weight}), and checkpoints compare those names, so runs saved before these blocks
 * existed still load.
 */
public final class AutocastBlocks {
    private AutocastBlocks() {}

    /**
     * {@link ai.djl.nn.core.Linear} in the thread's precision; build it with {@link Heads#linear}, or
     * for a hidden layer (its result read only by a normalisation and an activation) with
     * {@link Heads#hiddenLinear}, whose result stays bfloat16 under bfloat16 ({@link Products#hiddenLinear}).
     */
    public static final class Linear extends ai.djl.nn.core.Linear {
        private final boolean hidden;

        Linear(long units, boolean bias) {
            this(units, bias, false);
        }

        Linear(long units, boolean bias, boolean hidden) {
            super(new Builder(units, bias));
            this.hidden = hidden;
        }

        /** Whether the result may stay in bfloat16 ({@link Heads#hiddenLinear}). */
        public boolean hidden() {
            return hidden;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray w = ps.getValue(parameters.get("weight"), x.getDevice(), training);
            Parameter bias = parameters.get("bias");
            NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
            return new NDList(hidden ? Products.hiddenLinear(x, w, b) : Products.linear(x, w, b));
        }

        private static final class Builder extends ai.djl.nn.core.Linear.Builder {
            Builder(long units, boolean bias) {
                setUnits(units);
                optBias(bias);
            }
        }
    }

    /**
     * {@link ai.djl.nn.convolutional.Conv2d} in the thread's precision:
     * {@code new AutocastBlocks.Conv2d(Conv2d.builder().setKernelShape(...).setFilters(...))}.
     */
    public static final class Conv2d extends ai.djl.nn.convolutional.Conv2d {
        public Conv2d(ai.djl.nn.convolutional.Conv2d.Builder builder) {
            super(builder);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray w = ps.getValue(weight, x.getDevice(), training);
            NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
            return new NDList(Products.conv2d(x, w, b, stride, padding, dilation, groups));
        }
    }
}
