package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;

/**
 * Frees a forward pass's intermediate arrays as soon as the next operation has consumed them,
 * instead of when their manager (the update scope) closes.
 *
 * <p>Why: libtorch frees an intermediate when nothing refers to it any more, so the activations
 * the autograd graph saved are freed one by one during the backward pass, and the ones it did not
 * save at once. A DJL handle is one more reference, held until its manager closes: without this,
 * every activation of a phase stays resident through its whole backward pass and beside the
 * gradients it produces (Dreamer's {@code dmc_vision} update: see {@code bench/results/dreamer.md},
 * "Against a PyTorch twin").
 *
 * <p>Why it is safe: closing a {@code PtNDArray} deletes the handle, one reference to the tensor;
 * the graph holds its own references to what the backward pass reads, so gradients are unchanged
 * ({@code IntermediatesTest}). Only arrays that libtorch computed may be released this way, never an
 * array created from Java memory (its buffer goes with the handle) nor a parameter, a block's
 * input or its output; views count as intermediates (a view keeps its base's memory alive).
 */
final class Intermediates {
    private Intermediates() {}

    /**
     * Closes {@code dead} unless it is (the same handle as) one of {@code live}, such as the block's
     * input, which some operations return unchanged.
     */
    static void release(NDArray dead, NDArray... live) {
        if (dead == null) {
            return;
        }
        for (NDArray a : live) {
            if (a == dead) {
                return;
            }
        }
        dead.close();
    }

    /**
     * {@code after}, computed from {@code before}; {@code before} is released unless it is
     * {@code input} (or {@code after}).
     */
    static NDArray next(NDArray before, NDArray after, NDArray input) {
        release(before, input, after);
        return after;
    }
}
