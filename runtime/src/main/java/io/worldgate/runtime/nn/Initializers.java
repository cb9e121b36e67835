package io.worldgate.runtime.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;

/** Weight initialisations the agents share, and zeroing the output layer of an initialised block. */
public final class Initializers {
    private Initializers() {}

    /**
     * Weights drawn from a normal distribution with variance {@code 2 / (fan_in + fan_out)}
     * (Glorot/Xavier normal, scaling 1 over the average fan), as DreamerV3 initialises its dense
     * and convolutional layers. Set it for {@code Parameter.Type.WEIGHT}; biases keep their zeros.
     */
    public static Initializer glorotNormal() {
        return new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.AVG, 1f);
    }

    /**
     * Sets every parameter of the (initialised) {@code block} to zero in place, such as the output
     * layer of a reward or critic head in DreamerV3, so that its first predictions are exactly 0.
     * Call it without gradient recording ({@code NoGradient}).
     */
    public static void zero(Block block) {
        for (Parameter p : block.getParameters().values()) {
            p.getArray().muli(0f);
        }
    }

    /** The last child of a sequential block such as an {@link Mlp}: its output layer. */
    public static Block last(Block block) {
        var children = block.getChildren();
        if (children.isEmpty()) {
            throw new IllegalArgumentException(block.getClass().getSimpleName() + " has no children");
        }
        return children.valueAt(children.size() - 1);
    }
}
