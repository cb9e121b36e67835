package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A model state {@code s = (h, z)} of the RSSM, for a batch {@code [N]} or sequences {@code [B, T]}.
 *
 * @param deter deterministic state {@code h}, {@code [..., D]}
 * @param stoch stochastic state {@code z}: {@code S} one-hot categoricals of {@code K} classes,
 *     flattened to {@code [..., S K]}
 * @param logits the logits {@code [..., S, K]} of the distribution {@code z} was drawn from
 *     (posterior or prior); null where not needed
 */
record RssmState(NDArray deter, NDArray stoch, NDArray logits) {

    /** The features {@code [h, z]} that decoder, heads, actor and critic read: {@code [..., D + S K]}. */
    NDArray features() {
        return NDArrays.concat(new NDList(deter, stoch), -1);
    }

    /** The same state cut from the autograd graph ({@code sg(s)}). */
    RssmState stopGradient() {
        return new RssmState(deter.stopGradient(), stoch.stopGradient(), logits == null ? null : logits.stopGradient());
    }

    /** Merges the two leading axes: {@code [B, T, ...]} to {@code [B T, ...]}. */
    RssmState flattenBatchAndTime() {
        return new RssmState(merge(deter), merge(stoch), logits == null ? null : merge(logits));
    }

    private static NDArray merge(NDArray a) {
        var s = a.getShape();
        return a.reshape(new ai.djl.ndarray.types.Shape(s.get(0) * s.get(1)).addAll(s.slice(2)));
    }

    /** Moves the arrays to {@code manager} (for states kept between calls). */
    RssmState attach(NDManager manager) {
        deter.attach(manager);
        stoch.attach(manager);
        if (logits != null) {
            logits.attach(manager);
        }
        return this;
    }

    /** Lends the arrays to {@code manager} until it closes. */
    RssmState tempAttach(NDManager manager) {
        deter.tempAttach(manager);
        stoch.tempAttach(manager);
        if (logits != null) {
            logits.tempAttach(manager);
        }
        return this;
    }

    void close() {
        deter.close();
        stoch.close();
        if (logits != null) {
            logits.close();
        }
    }
}
