package io.worldgate.plugin.mae;

/**
 * Fixed 2-D sine-cosine position embeddings of a {@code rows x cols} grid of patches, as the MAE
 * uses (not learnt). Patch {@code n = r cols + c} (row-major) gets {@code dim} values: the first
 * half encodes its column {@code c}, the second its row {@code r}; each half is
 * {@code sin(p ω_k)} for {@code k = 0 .. dim/4 - 1} followed by {@code cos(p ω_k)}, with
 * {@code ω_k = 10000^(-k / (dim/4))}. The MAE's reference code orders the halves this way (its
 * mesh grid puts the column first), which matters for loading its weights.
 */
final class PositionEmbedding {
    private PositionEmbedding() {}

    /** The embeddings as {@code [rows cols, dim]}, row-major; {@code dim} a multiple of 4. */
    static float[] sinCos2d(int dim, int rows, int cols) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("dim must be a multiple of 4, not " + dim);
        }
        int quarter = dim / 4;
        float[] out = new float[rows * cols * dim];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int base = (r * cols + c) * dim;
                for (int k = 0; k < quarter; k++) {
                    double omega = Math.pow(10000, -(double) k / quarter);
                    out[base + k] = (float) Math.sin(c * omega);
                    out[base + quarter + k] = (float) Math.cos(c * omega);
                    out[base + 2 * quarter + k] = (float) Math.sin(r * omega);
                    out[base + 3 * quarter + k] = (float) Math.cos(r * omega);
                }
            }
        }
        return out;
    }
}
