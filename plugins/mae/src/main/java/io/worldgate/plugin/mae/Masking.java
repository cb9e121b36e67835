package io.worldgate.plugin.mae;

import java.util.SplittableRandom;

/**
 * Which patches each frame of a batch shows the encoder: a random permutation per frame, of which
 * the first {@code keep} patches are visible and the rest masked (the MAE's per-sample shuffle).
 *
 * @param keep visible patch indices {@code [B][K]}, in shuffled order
 * @param restore for each patch, its position in the shuffled order {@code [B][N]} (the inverse
 *     permutation: it puts the decoder's tokens back in place)
 * @param masked 1 where a patch is masked, else 0 {@code [B][N]}
 */
record Masking(int[][] keep, int[][] restore, float[][] masked) {

    /**
     * Patches kept visible of {@code patches} at {@code ratio} masked: {@code floor(N (1 - ratio))},
     * at least 1 and at most {@code N - 1}: the loss averages over the masked patches, so a masking
     * that hides none would make it 0/0 and every update a skipped non-finite step.
     */
    static int kept(int patches, double ratio) {
        return Math.min(patches - 1, Math.max(1, (int) (patches * (1 - ratio))));
    }

    /** A fresh masking of {@code batch} frames of {@code patches} patches each. */
    static Masking random(int batch, int patches, double ratio, SplittableRandom rng) {
        int k = kept(patches, ratio);
        int[][] keep = new int[batch][k];
        int[][] restore = new int[batch][patches];
        float[][] masked = new float[batch][patches];
        for (int b = 0; b < batch; b++) {
            int[] order = new int[patches];
            for (int i = 0; i < patches; i++) {
                order[i] = i;
            }
            for (int i = patches - 1; i > 0; i--) { // Fisher-Yates
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < patches; i++) {
                restore[b][order[i]] = i;
                masked[b][order[i]] = i < k ? 0f : 1f;
            }
            System.arraycopy(order, 0, keep[b], 0, k);
        }
        return new Masking(keep, restore, masked);
    }

    int batch() {
        return keep.length;
    }

    int patches() {
        return restore[0].length;
    }

    int visible() {
        return keep[0].length;
    }

    static long[] flat(int[][] rows) {
        long[] out = new long[rows.length * rows[0].length];
        for (int b = 0; b < rows.length; b++) {
            for (int i = 0; i < rows[b].length; i++) {
                out[b * rows[b].length + i] = rows[b][i];
            }
        }
        return out;
    }
}
