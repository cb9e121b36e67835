package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * TD-MPC2's simplicial normalisation: the last axis {@code [..., D]} is split into groups of
 * {@code g} (8 in TD-MPC2) and each group is passed through a softmax, so the latent is a
 * concatenation of {@code D / g} points on simplices.
 */
public final class SimNorm extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int groupSize;

    public SimNorm(int groupSize) {
        super(VERSION);
        if (groupSize < 1) {
            throw new IllegalArgumentException("group size must be positive");
        }
        this.groupSize = groupSize;
    }

    public int groupSize() {
        return groupSize;
    }

    /**
     * Simplicial normalisation of {@code x [..., D]} with groups of {@code groupSize}: per group
     * {@code e^(x - max) / Σ e^(x - max)}, the softmax. Written out because libtorch's softmax over
     * a last axis as short as 8 is about five times slower on the CPU than these four operations
     * (0.8 against 0.16 ms on 512 x 128). The max is a constant shift (the softmax does not depend
     * on it), so no gradient flows through it.
     */
    public static NDArray simNorm(NDArray x, int groupSize) {
        Shape s = x.getShape();
        long d = s.get(s.dimension() - 1);
        if (d % groupSize != 0) {
            throw new IllegalArgumentException("last axis " + d + " is not a multiple of the group size " + groupSize);
        }
        Shape grouped = s.slice(0, s.dimension() - 1).addAll(new Shape(d / groupSize, groupSize));
        NDArray g = x.reshape(grouped);
        NDArray e = g.sub(g.max(new int[] {-1}, true).stopGradient()).exp();
        return e.div(e.sum(new int[] {-1}, true)).reshape(s);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(simNorm(inputs.singletonOrThrow(), groupSize));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
