package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A named collection of blocks that are initialised and called one by one, grouped so that their
 * parameters can be listed, optimised and checkpointed together ({@code getParameters()} walks the
 * children; {@link io.worldgate.runtime.io.BlockCheckpoint} saves them as one file). An agent's
 * model with several parts (a world model, an actor, critics) extends it or holds one. It has no
 * forward pass of its own: its parts are initialised (each with its own input shape) and called by
 * the code that owns them.
 */
public class BlockGroup extends AbstractBlock {
    private static final byte VERSION = 1;

    public BlockGroup() {
        super(VERSION);
    }

    /** Adds {@code block} under {@code name} (unique within the group); returns it. */
    public <B extends Block> B add(String name, B block) {
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
}
