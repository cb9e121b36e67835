package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A {@link Masking} as NDArrays: int64 indices {@code keep [B, K]} and {@code restore [B, N]} and
 * the float mask {@code [B, N]}, owned by libtorch (autograd keeps the indices after the call).
 */
record MaskArrays(NDArray keep, NDArray restore, NDArray mask) {

    static MaskArrays of(NDManager m, Masking masking) {
        int b = masking.batch();
        NDArray keep = owned(m.create(Masking.flat(masking.keep()), new Shape(b, masking.visible())));
        NDArray restore = owned(m.create(Masking.flat(masking.restore()), new Shape(b, masking.patches())));
        float[] flat = new float[b * masking.patches()];
        for (int i = 0; i < b; i++) {
            System.arraycopy(masking.masked()[i], 0, flat, i * masking.patches(), masking.patches());
        }
        return new MaskArrays(keep, restore, owned(m.create(flat, new Shape(b, masking.patches()))));
    }

    private static NDArray owned(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }
}
