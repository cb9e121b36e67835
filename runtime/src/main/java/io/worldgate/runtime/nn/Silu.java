package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.nn.internal.FusedActivations;

/** The SiLU (swish) activation {@code x σ(x)}, as a parameterless block and a function. */
public final class Silu extends AbstractBlock {
    private static final byte VERSION = 1;

    public Silu() {
        super(VERSION);
    }

    /**
     * {@code x σ(x)}, elementwise: by libtorch's own kernel where that pays
     * ({@link FusedActivations}), else composed, with {@code σ(x)} released at once (see
     * {@code Intermediates}).
     */
    public static NDArray silu(NDArray x) {
        NDArray fused = FusedActivations.silu(x);
        if (fused != null) {
            return fused;
        }
        NDArray gate = Activation.sigmoid(x);
        NDArray y = x.mul(gate);
        Intermediates.release(gate, x, y);
        return y;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(silu(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "SiLU";
    }
}
