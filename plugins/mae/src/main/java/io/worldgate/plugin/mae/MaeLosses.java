package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.worldgate.runtime.tensor.Scalars;

/**
 * The MAE's pixel handling and loss as pure functions of arrays (no parameters, no optimizer).
 *
 * <pre>
 *   patchify:  [B, H, W, C] → [B, N, p²C], patches row-major, each patch's values (row, column, channel)
 *   target:    t = (x - mean(x)) / sqrt(var(x) + 1e-6)   per patch (norm_pix_loss; var unbiased), else x
 *   loss:      Σ_{b,n} m_{bn} mean_j (ŷ_{bnj} - t_{bnj})² / Σ_{b,n} m_{bn}        (m = 1 on masked patches)
 * </pre>
 */
final class MaeLosses {
    static final float NORM_EPSILON = 1e-6f;

    private MaeLosses() {}

    /** uint8 (or float 0..255) channels-last frames {@code [B, H, W, C]} as float32 in [0, 1]. */
    static NDArray toUnit(NDArray frames) {
        return Scalars.div(frames.toType(DataType.FLOAT32, false), 255f);
    }

    /** Frames {@code [B, H, W, C]} as patches {@code [B, N, p²C]}. */
    static NDArray patchify(NDArray frames, int patch) {
        long b = frames.getShape().get(0);
        long gh = frames.getShape().get(1) / patch;
        long gw = frames.getShape().get(2) / patch;
        long c = frames.getShape().get(3);
        return frames.reshape(b, gh, patch, gw, patch, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, gh * gw, (long) patch * patch * c);
    }

    /** Patches {@code [B, N, p²C]} back to frames {@code [B, H, W, C]} of {@code sizes}. */
    static NDArray unpatchify(NDArray patches, MaeSizes sizes) {
        long b = patches.getShape().get(0);
        int p = sizes.patch();
        return patches.reshape(b, sizes.gridHeight(), sizes.gridWidth(), p, p, sizes.channels()).transpose(0, 1, 3, 2, 4, 5)
                .reshape(b, sizes.height(), sizes.width(), sizes.channels());
    }

    /** Each patch's mean {@code [B, N, 1]}. */
    static NDArray patchMean(NDArray patches) {
        return patches.mean(new int[] {2}, true);
    }

    /** Each patch's {@code sqrt(var + 1e-6)}, with the unbiased variance, {@code [B, N, 1]}. */
    static NDArray patchScale(NDArray patches) {
        long values = patches.getShape().get(2);
        NDArray centred = patches.sub(patchMean(patches));
        return Scalars.div(centred.square().sum(new int[] {2}, true), (float) (values - 1)).add(NORM_EPSILON).sqrt();
    }

    /** The regression target of patches {@code [B, N, P]}: normalised per patch, or as they are. */
    static NDArray target(NDArray patches, boolean normalise) {
        if (!normalise) {
            return patches;
        }
        return patches.sub(patchMean(patches)).div(patchScale(patches));
    }

    /** The loss of predictions and targets {@code [B, N, P]} over the masked patches {@code mask [B, N]}. */
    static NDArray reconstruction(NDArray predicted, NDArray target, NDArray mask) {
        NDArray perPatch = predicted.sub(target).square().mean(new int[] {2});
        return perPatch.mul(mask).sum().div(mask.sum());
    }

    /** Predictions {@code [B, N, P]} in pixel units [0, 1] again, undoing the target's normalisation with {@code patches}' statistics. */
    static NDArray toPixels(NDArray predicted, NDArray patches, boolean normalised) {
        NDArray pixels = normalised ? predicted.mul(patchScale(patches)).add(patchMean(patches)) : predicted;
        return pixels.clip(0f, 1f);
    }
}
