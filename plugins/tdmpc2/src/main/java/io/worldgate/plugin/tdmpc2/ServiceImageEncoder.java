package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.SimNorm;

/**
 * TD-MPC2's encoder over another plugin's image encoder ({@code encoder=NAME}): the service's
 * features (in its {@code encoder_mode}), a linear layer to the latent size and SimNorm, so that
 * the latent is on the simplex as with the built-in CNN. The linear layer is the agent's and trains
 * at {@code enc_lr_scale}; the service's own weights are trained (or not) by the {@link BoundEncoder}.
 */
final class ServiceImageEncoder extends AbstractBlock {
    private static final byte VERSION = 1;

    private final BoundEncoder bound;
    private final int latentDim;
    private final int simNormGroup;
    private final Linear projection;

    ServiceImageEncoder(BoundEncoder bound, int latentDim, int simNormGroup) {
        super(VERSION);
        this.bound = bound;
        this.latentDim = latentDim;
        this.simNormGroup = simNormGroup;
        projection = addChildBlock("projection", Heads.linear(latentDim, true));
    }

    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, new Shape(1, bound.featureSize()));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray features = bound.features(store, inputs.singletonOrThrow());
        Shape lead = features.getShape().slice(0, features.getShape().dimension() - 1);
        NDArray h = projection.forward(store, new NDList(features.reshape(-1, bound.featureSize())), training)
                .singletonOrThrow();
        return new NDList(SimNorm.simNorm(h, simNormGroup).reshape(lead.add(latentDim)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 3).add(latentDim)};
    }
}
