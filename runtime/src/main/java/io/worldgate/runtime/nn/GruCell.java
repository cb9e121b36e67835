package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The GRU cell of Dreamer's recurrent state-space model, with LayerNorm. One linear layer on the
 * concatenated input and state gives all three gate pre-activations, which are normalised
 * together:
 *
 * <pre>
 *   [r̃, c̃, ũ] = LN(W [x_t, h_{t-1}])                   (W: (I + H) -> 3H, no bias when LN is on)
 *   r   = σ(r̃)                                           reset gate
 *   c   = tanh(r ⊙ c̃)                                    candidate state
 *   u   = σ(ũ + b_u),  b_u = -1                          update gate, biased towards keeping h
 *   h_t = u ⊙ c + (1 - u) ⊙ h_{t-1}
 * </pre>
 *
 * Unlike the standard GRU, the reset gate multiplies the candidate's whole pre-activation (which
 * already includes the input), and the update bias of -1 makes the cell start out remembering
 * ({@code 1 - σ(-1) ≈ 0.73} of the old state at initialisation).
 *
 * <p>Forward input: {@code (x [B, I], h [B, H])}; output: {@code (h_t [B, H])}.
 */
public final class GruCell extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int hidden;
    private final float updateBias;
    private final Linear gates;
    private final LayerNorm norm;

    /**
     * @param hidden state size {@code H} (512 for DreamerV3's deterministic state)
     * @param layerNorm normalise the gate pre-activations (Dreamer: true)
     * @param updateBias {@code b_u} (Dreamer: -1)
     */
    public GruCell(int hidden, boolean layerNorm, float updateBias) {
        super(VERSION);
        if (hidden < 1) {
            throw new IllegalArgumentException("hidden size must be positive");
        }
        this.hidden = hidden;
        this.updateBias = updateBias;
        this.gates = addChildBlock("gates", Heads.linear(3L * hidden, !layerNorm));
        this.norm = layerNorm ? addChildBlock("norm", LayerNorm.overFeatures(1e-3f)) : null;
    }

    /** Dreamer's cell: LayerNorm on, update bias -1. */
    public static GruCell dreamer(int hidden) {
        return new GruCell(hidden, true, -1f);
    }

    public int hidden() {
        return hidden;
    }

    /** A zero state {@code [batch, H]}. */
    public NDArray initialState(NDManager manager, long batch) {
        return manager.zeros(new Shape(batch, hidden));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (inputs.size() != 2) {
            throw new IllegalArgumentException("GruCell takes (x, h), got " + inputs.size() + " arrays");
        }
        NDArray x = inputs.get(0);
        NDArray h = inputs.get(1);
        // every intermediate is released once read (see Intermediates): the graph keeps what it needs
        NDArray joined = NDArrays.concat(new NDList(x, h), -1);
        NDArray parts = gates.forward(store, new NDList(joined), training).singletonOrThrow();
        joined.close();
        if (norm != null) {
            NDArray normed = norm.forward(store, new NDList(parts), training).singletonOrThrow();
            parts.close();
            parts = normed;
        }
        NDList split = parts.split(3, parts.getShape().dimension() - 1);
        parts.close();
        NDArray reset = Activation.sigmoid(split.get(0));
        NDArray gated = reset.mul(split.get(1));
        reset.close();
        NDArray candidate = gated.tanh();
        gated.close();
        NDArray shifted = split.get(2).add(updateBias);
        split.close();
        NDArray update = Activation.sigmoid(shifted);
        shifted.close();
        // h_t = u c + (1 - u) h = u (c - h) + h; operands ordered so results stay in x's manager
        NDArray change = candidate.sub(h);
        candidate.close();
        NDArray step = update.mul(change);
        update.close();
        change.close();
        NDArray next = step.add(h);
        step.close();
        return new NDList(next);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        if (inputShapes.length != 2) {
            throw new IllegalArgumentException("GruCell takes (x, h) shapes");
        }
        Shape x = inputShapes[0];
        long in = x.get(x.dimension() - 1) + hidden;
        Shape lead = x.slice(0, x.dimension() - 1);
        gates.initialize(manager, dataType, lead.add(in));
        if (norm != null) {
            norm.initialize(manager, dataType, lead.add(3L * hidden));
        }
    }
}
