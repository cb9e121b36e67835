package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A multi-layer perceptron as in DreamerV3: each of {@code layers} hidden layers is
 * {@code Linear(units) -> LayerNorm -> SiLU}, optionally followed by an output head
 * {@code Linear(outputs)} (zero-initialised for reward and critic heads). Works on
 * {@code [..., D]} inputs with any leading axes: they are merged into one row axis first, so
 * that every layer is one matrix product. (libtorch's {@code linear} on a 3-D input that is not
 * contiguous, such as a time slice {@code x[:, 1:]} of a trajectory, through a layer whose weight
 * takes no gradient (frozen, or a target network), otherwise broadcasts the
 * weight to a batch of matrices and multiplies each sequence on its own ({@code bmm} of
 * {@code [B, T, D] x [B, D, U]}): for Dreamer's imagined trajectories, {@code [1024, 15, 1536]}
 * through a frozen {@code 1536 -> 512} layer, forward and backward took 1.4x the CPU time of one
 * {@code [B T, D] x [D, U]} product (torch 2.7.1, one thread). Merging copies the input once where it
 * is not contiguous.)
 *
 * <pre>{@code
 * Mlp critic = Mlp.builder().units(512).layers(2).outputs(255).zeroInitOutput(true).build();
 * }</pre>
 */
public final class Mlp extends SequentialBlock {
    private final int units;
    private final int layers;
    private final int outputs;

    private Mlp(Builder b) {
        this.units = b.units;
        this.layers = b.layers;
        this.outputs = b.outputs;
        for (int i = 0; i < b.layers; i++) {
            // no bias before a LayerNorm: its offset β does that job
            add(Heads.linear(b.units, !b.norm));
            if (b.norm) {
                add(LayerNorm.overFeatures(b.epsilon));
            }
            add(new Silu());
        }
        if (b.outputs > 0) {
            add(b.zeroInitOutput ? Heads.zeroLinear(b.outputs) : Heads.linear(b.outputs, true));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        int d = s.dimension();
        if (d <= 2) {
            return new NDList(layers(store, x, x, training));
        }
        NDArray rows = x.reshape(-1, s.get(d - 1));
        NDArray y = layers(store, rows, x, training);
        NDArray out = y.reshape(s.slice(0, d - 1).add(y.getShape().get(1)));
        Intermediates.release(y, x, out);
        return new NDList(out);
    }

    /**
     * The layers in order from {@code h}; each activation is released once the next layer has read
     * it (see {@link Intermediates}), except {@code input}, the block's own.
     */
    private NDArray layers(ParameterStore store, NDArray h, NDArray input, boolean training) {
        for (Block layer : getChildren().values()) {
            NDArray next = layer.forward(store, new NDList(h), training).singletonOrThrow();
            Intermediates.release(h, input, next);
            h = next;
        }
        return h;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int units() {
        return units;
    }

    public int layers() {
        return layers;
    }

    /** Size of the output head, or 0 when there is none (the output is the last hidden layer). */
    public int outputs() {
        return outputs;
    }

    /** Builds an {@link Mlp}. */
    public static final class Builder {
        private int units = 512;
        private int layers = 2;
        private int outputs;
        private boolean zeroInitOutput;
        private boolean norm = true;
        private float epsilon = 1e-3f;

        private Builder() {}

        /** Width of each hidden layer (default 512). */
        public Builder units(int units) {
            if (units < 1) {
                throw new IllegalArgumentException("units must be positive");
            }
            this.units = units;
            return this;
        }

        /** Number of hidden layers (default 2; 0 gives just the head). */
        public Builder layers(int layers) {
            if (layers < 0) {
                throw new IllegalArgumentException("layers must be >= 0");
            }
            this.layers = layers;
            return this;
        }

        /** Adds an output head of this size (default: none). */
        public Builder outputs(int outputs) {
            if (outputs < 0) {
                throw new IllegalArgumentException("outputs must be >= 0");
            }
            this.outputs = outputs;
            return this;
        }

        /** Zero-initialise the output head (reward and critic heads in DreamerV3). */
        public Builder zeroInitOutput(boolean zero) {
            this.zeroInitOutput = zero;
            return this;
        }

        /** Whether hidden layers have LayerNorm (default true). */
        public Builder layerNorm(boolean norm) {
            this.norm = norm;
            return this;
        }

        /** LayerNorm epsilon (default 1e-3). */
        public Builder epsilon(float epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Mlp build() {
            if (layers == 0 && outputs == 0) {
                throw new IllegalArgumentException("an MLP needs hidden layers or an output head");
            }
            return new Mlp(this);
        }
    }
}
