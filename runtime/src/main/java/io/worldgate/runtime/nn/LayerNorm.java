package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation over one axis, with a learnable scale {@code γ} (init 1) and offset
 * {@code β} (init 0): {@code y = (x - mean) / sqrt(var + ε) γ + β}.
 *
 * <p>DJL's own {@code ai.djl.nn.norm.LayerNorm} normalises all non-batch axes by default (so a
 * {@code [B, T, D]} input would be normalised over {@code T} and {@code D} together), and libtorch
 * can only normalise trailing axes. This block normalises exactly one axis:
 * {@link #overFeatures} the last axis of {@code [..., D]}, {@link #overChannels} axis 1 of an
 * NCHW image (as DreamerV3 normalises channels after each convolution).
 */
public final class LayerNorm extends AbstractBlock {
    private static final byte VERSION = 1;

    private final boolean channels;
    private final float epsilon;
    private final Parameter gamma;
    private final Parameter beta;

    private LayerNorm(boolean channels, float epsilon) {
        super(VERSION);
        this.channels = channels;
        this.epsilon = epsilon;
        this.gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA).build());
        this.beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA).build());
    }

    /** Normalises the last axis of {@code [..., D]}. */
    public static LayerNorm overFeatures(float epsilon) {
        return new LayerNorm(false, epsilon);
    }

    /** Normalises the channel axis of an NCHW input {@code [N, C, H, W]}. */
    public static LayerNorm overChannels(float epsilon) {
        return new LayerNorm(true, epsilon);
    }

    public float epsilon() {
        return epsilon;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray g = store.getValue(gamma, x.getDevice(), training);
        NDArray b = store.getValue(beta, x.getDevice(), training);
        long n = g.getShape().get(0);
        if (!channels) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(n), g, b, epsilon);
        }
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException("channel LayerNorm expects NCHW, got " + x.getShape());
        }
        NDArray last = x.transpose(0, 2, 3, 1);
        NDArray y = ai.djl.nn.norm.LayerNorm.layerNorm(last, new Shape(n), g, b, epsilon).singletonOrThrow();
        NDArray out = y.transpose(0, 3, 1, 2);
        // the views hold their base's memory: released, the caller's release of x takes effect
        Intermediates.release(last, x);
        Intermediates.release(y, x, out);
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long size = channels ? s.get(1) : s.get(s.dimension() - 1);
        gamma.setShape(new Shape(size));
        beta.setShape(new Shape(size));
    }

    @Override
    public String toString() {
        return "LayerNorm(" + (channels ? "channels" : "features") + ", eps=" + epsilon + ")";
    }
}
