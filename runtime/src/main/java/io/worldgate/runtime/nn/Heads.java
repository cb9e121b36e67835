package io.worldgate.runtime.nn;

import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.Initializer;

/**
 * Output layers. DreamerV3 zero-initialises the last layer of the reward and critic heads, so that
 * their first predictions are exactly 0 (a uniform distribution over two-hot bins, whose
 * {@code symexp} mean is 0) and large random returns do not destabilise early training.
 */
public final class Heads {
    private Heads() {}

    /**
     * A linear layer with weight and bias initialised to zero. The initializers are set on this
     * block's parameters; a later {@code setInitializer} on an enclosing block for
     * {@code Parameter.Type.WEIGHT} would override them, so set such initializers before adding
     * the head.
     */
    public static Linear zeroLinear(long units) {
        Linear linear = new AutocastBlocks.Linear(units, true);
        linear.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        linear.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        return linear;
    }

    /**
     * A linear layer with DJL's default initialisation, multiplying in the thread's
     * {@link Autocast} precision ({@link AutocastBlocks.Linear}).
     */
    public static Linear linear(long units, boolean bias) {
        return new AutocastBlocks.Linear(units, bias);
    }

    /**
     * A linear layer like {@link #linear} for a hidden layer whose result only a normalisation and
     * an activation read: under bfloat16 its result stays bfloat16 (as under {@code torch.autocast}),
     * where {@link #linear} widens it back to float32. The same parameters and checkpoint names.
     */
    public static Linear hiddenLinear(long units, boolean bias) {
        return new AutocastBlocks.Linear(units, bias, true);
    }
}
