package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A named collection of blocks that are initialised and called one by one, grouped so that their
 * parameters can be listed, optimised and checkpointed together ({@code getParameters()} walks the
 * children). It has no forward pass of its own.
 */
class BlockGroup extends AbstractBlock {
    private static final byte VERSION = 1;

    BlockGroup() {
        super(VERSION);
    }

    /** Adds {@code block} under {@code name}; returns it. */
    <B extends Block> B add(String name, B block) {
        return addChildBlock(name, block);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no forward pass; call its parts");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no forward pass");
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        throw new UnsupportedOperationException("initialise the parts of " + getClass().getSimpleName() + " one by one");
    }

    /** Sets every parameter of {@code block} (initialised) to zero: DreamerV3's zero-initialised output heads. */
    static void zero(Block block) {
        for (Parameter p : block.getParameters().values()) {
            p.getArray().muli(0f);
        }
    }

    /** The last child of a sequential block such as an {@code Mlp}: its output layer. */
    static Block last(Block block) {
        var children = block.getChildren();
        return children.valueAt(children.size() - 1);
    }

    /**
     * DreamerV3 initialises weights from a normal distribution with variance scaling 1 over the
     * average of fan-in and fan-out (Glorot/Xavier normal); biases start at zero.
     */
    static Initializer dreamerWeights() {
        return new ai.djl.training.initializer.XavierInitializer(
                ai.djl.training.initializer.XavierInitializer.RandomType.GAUSSIAN,
                ai.djl.training.initializer.XavierInitializer.FactorType.AVG, 1f);
    }
}
