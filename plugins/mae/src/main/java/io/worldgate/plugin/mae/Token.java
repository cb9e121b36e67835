package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/** One learnt token {@code [1, 1, D]} (the class token, the mask token), drawn from N(0, 0.02²) as in the MAE. */
final class Token extends AbstractBlock {
    private static final byte VERSION = 1;
    private final Parameter value;

    Token(int dim) {
        super(VERSION);
        value = addParameter(Parameter.builder().setName("token").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, dim)).optInitializer(new NormalInitializer(0.02f)).build());
    }

    /** The token repeated to {@code [B, L, D]}, in the manager of {@code like} (not the parameter's). */
    NDArray expand(ParameterStore store, NDArray like, long batch, long length, boolean training) {
        NDArray v = store.getValue(value, like.getDevice(), training);
        return like.getManager().zeros(new Shape(batch, length, v.getShape().get(2))).add(v);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("use expand");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {value.getArray().getShape()};
    }
}
