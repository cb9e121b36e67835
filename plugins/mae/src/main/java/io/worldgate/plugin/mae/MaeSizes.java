package io.worldgate.plugin.mae;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.nn.EncoderFeatures;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The architecture of an MAE: the frames it takes ({@code height x width x channels}), cut into
 * {@code patch x patch} squares, an encoder of {@code depth} transformer blocks of {@code width}
 * features and {@code heads} heads, and a decoder of its own sizes. A checkpoint stores it, so
 * that the encoder service can rebuild the network a learner trained. {@code normEpsilon} is the
 * LayerNorms' ε: 1e-6 as the paper's code, 1e-12 in Hugging Face's {@code ViTMAEModel}.
 */
record MaeSizes(int height, int width, int channels, int patch, int dim, int depth, int heads, int decoderDim,
        int decoderDepth, int decoderHeads, float normEpsilon) {

    /** The LayerNorms' ε of the MAE's reference code. */
    static final float NORM_EPSILON = 1e-6f;

    /** The hidden width of every transformer block's MLP, relative to its width (the paper's 4). */
    static final int MLP_RATIO = 4;

    MaeSizes(int height, int width, int channels, int patch, int dim, int depth, int heads, int decoderDim,
            int decoderDepth, int decoderHeads) {
        this(height, width, channels, patch, dim, depth, heads, decoderDim, decoderDepth, decoderHeads, NORM_EPSILON);
    }

    MaeSizes {
        if (!(normEpsilon > 0)) {
            throw new IllegalArgumentException("the LayerNorm epsilon must be positive, not " + normEpsilon);
        }
        if (height % patch != 0 || width % patch != 0) {
            throw new IllegalArgumentException("frames of " + height + "x" + width + " do not divide into " + patch + "x"
                    + patch + " patches; pick a preset or 'patch' that divides them");
        }
        if (dim % heads != 0 || decoderDim % decoderHeads != 0) {
            throw new IllegalArgumentException("width " + dim + " / decoder_width " + decoderDim
                    + " must be multiples of their heads (" + heads + " / " + decoderHeads + ")");
        }
        if (dim % 4 != 0 || decoderDim % 4 != 0) {
            throw new IllegalArgumentException("2-D sin-cos position embeddings need widths that are multiples of 4, not "
                    + dim + " / " + decoderDim);
        }
    }

    /** The sizes a learner's configuration gives for frames of {@code height x width x channels}. */
    static MaeSizes of(AgentConfig config, int height, int width, int channels) {
        return new MaeSizes(height, width, channels, config.getInt("patch"), config.getInt("width"),
                config.getInt("depth"), config.getInt("heads"), config.getInt("decoder_width"),
                config.getInt("decoder_depth"), config.getInt("decoder_heads"));
    }

    int gridHeight() {
        return height / patch;
    }

    int gridWidth() {
        return width / patch;
    }

    /** Patches per frame. */
    int patches() {
        return gridHeight() * gridWidth();
    }

    /** Features per frame of the kind {@code kind}: {@code D}, or {@code N D} for every patch token. */
    long featureSize(EncoderFeatures kind) {
        return kind == EncoderFeatures.TOKENS ? (long) patches() * dim : dim;
    }

    /** Values per patch: {@code patch² channels}. */
    int patchValues() {
        return patch * patch * channels;
    }

    /**
     * Trainable parameters of the encoder: patch embedding, class token, blocks, final norm (the
     * position embeddings are fixed).
     */
    long encoderParameters() {
        return (long) patchValues() * dim + dim + dim + depth * blockParameters(dim) + 2L * dim;
    }

    /** Trainable parameters of the decoder: embedding, mask token, blocks, norm, pixel head. */
    long decoderParameters() {
        return (long) dim * decoderDim + decoderDim + decoderDim + decoderDepth * blockParameters(decoderDim)
                + 2L * decoderDim + (long) decoderDim * patchValues() + patchValues();
    }

    /** One pre-norm block of width {@code d}: two norms, qkv and output projections, a 4d MLP. */
    static long blockParameters(int d) {
        long hidden = (long) MLP_RATIO * d;
        return 4L * d + (3L * d * d + 3L * d) + ((long) d * d + d) + (d * hidden + hidden) + (hidden * d + d);
    }

    Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("height", Integer.toString(height));
        p.put("width", Integer.toString(width));
        p.put("channels", Integer.toString(channels));
        p.put("patch", Integer.toString(patch));
        p.put("dim", Integer.toString(dim));
        p.put("depth", Integer.toString(depth));
        p.put("heads", Integer.toString(heads));
        p.put("decoderDim", Integer.toString(decoderDim));
        p.put("decoderDepth", Integer.toString(decoderDepth));
        p.put("decoderHeads", Integer.toString(decoderHeads));
        p.put("normEpsilon", Float.toString(normEpsilon));
        return p;
    }

    static MaeSizes fromProperties(Map<String, String> p) throws IncompatibleCheckpointException {
        try {
            return new MaeSizes(num(p, "height"), num(p, "width"), num(p, "channels"), num(p, "patch"), num(p, "dim"),
                    num(p, "depth"), num(p, "heads"), num(p, "decoderDim"), num(p, "decoderDepth"), num(p, "decoderHeads"),
                    Float.parseFloat(p.getOrDefault("normEpsilon", Float.toString(NORM_EPSILON)).trim()));
        } catch (IllegalArgumentException e) {
            throw new IncompatibleCheckpointException("MAE checkpoint has bad sizes: " + e.getMessage());
        }
    }

    private static int num(Map<String, String> p, String key) throws IncompatibleCheckpointException {
        String v = p.get(key);
        if (v == null) {
            throw new IncompatibleCheckpointException("MAE checkpoint lacks '" + key + "'");
        }
        return Integer.parseInt(v.trim());
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels + "/p" + patch + " enc " + depth + "x" + dim + "h" + heads + " dec "
                + decoderDepth + "x" + decoderDim + "h" + decoderHeads + (normEpsilon == NORM_EPSILON ? "" : " eps " + normEpsilon);
    }
}
