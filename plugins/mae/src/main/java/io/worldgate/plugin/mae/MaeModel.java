package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.EncoderFeatures;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.LayerNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * The masked autoencoder (He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR
 * 2022): a ViT encoder and a light decoder, both of pre-LayerNorm {@link TransformerBlock}s.
 *
 * <pre>
 *   encoder: patches [B, N, p²C] → Linear_D + pos → keep the visible K → [cls; tokens] → blocks → LN  → [B, 1+K, D]
 *   decoder: Linear_Dd → append N-K mask tokens, unshuffle → + pos → blocks → LN → Linear_{p²C}     → [B, N, p²C]
 * </pre>
 *
 * Position embeddings are fixed 2-D sin-cos ({@link PositionEmbedding}), zero for the class token.
 * The patch embedding is a linear map of each flattened patch (equal to a convolution of stride
 * {@code p}). Linear weights are Glorot-uniform, biases zero, the tokens N(0, 0.02²), as the
 * paper's code initialises them. {@link #features} encodes every patch, with no masking.
 */
final class MaeModel extends BlockGroup {
    private final MaeSizes sizes;
    private final Linear patchEmbed;
    private final Token cls;
    private final List<TransformerBlock> encoderBlocks = new ArrayList<>();
    private final LayerNorm encoderNorm;
    private final Linear decoderEmbed;
    private final Token maskToken;
    private final List<TransformerBlock> decoderBlocks = new ArrayList<>();
    private final LayerNorm decoderNorm;
    private final Linear decoderPred;
    private final BlockGroup encoder;
    private NDArray encoderPos;
    private NDArray decoderPos;

    MaeModel(MaeSizes sizes) {
        this.sizes = sizes;
        encoder = add("encoder", new BlockGroup());
        patchEmbed = encoder.add("patch_embed", Heads.linear(sizes.dim(), true));
        cls = encoder.add("cls_token", new Token(sizes.dim()));
        for (int i = 0; i < sizes.depth(); i++) {
            encoderBlocks.add(encoder.add("block" + i, new TransformerBlock(sizes.dim(), sizes.heads(), sizes.normEpsilon())));
        }
        encoderNorm = encoder.add("norm", LayerNorm.overFeatures(sizes.normEpsilon()));
        BlockGroup decoder = add("decoder", new BlockGroup());
        decoderEmbed = decoder.add("embed", Heads.linear(sizes.decoderDim(), true));
        maskToken = decoder.add("mask_token", new Token(sizes.decoderDim()));
        for (int i = 0; i < sizes.decoderDepth(); i++) {
            decoderBlocks.add(decoder.add("block" + i, new TransformerBlock(sizes.decoderDim(), sizes.decoderHeads(), sizes.normEpsilon())));
        }
        decoderNorm = decoder.add("norm", LayerNorm.overFeatures(sizes.normEpsilon()));
        decoderPred = decoder.add("pred", Heads.linear(sizes.patchValues(), true));
    }

    /** Creates the parameters in {@code manager}, and the fixed position embeddings beside them. */
    void initialize(NDManager manager) {
        XavierInitializer glorotUniform = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 3f);
        for (Block linear : linears(this, new ArrayList<>())) {
            linear.setInitializer(glorotUniform, Parameter.Type.WEIGHT);
        }
        patchEmbed.initialize(manager, DataType.FLOAT32, new Shape(1, sizes.patchValues()));
        cls.initialize(manager, DataType.FLOAT32, new Shape(1));
        encoderBlocks.forEach(b -> b.initialize(manager));
        encoderNorm.initialize(manager, DataType.FLOAT32, new Shape(1, sizes.dim()));
        decoderEmbed.initialize(manager, DataType.FLOAT32, new Shape(1, sizes.dim()));
        maskToken.initialize(manager, DataType.FLOAT32, new Shape(1));
        decoderBlocks.forEach(b -> b.initialize(manager));
        decoderNorm.initialize(manager, DataType.FLOAT32, new Shape(1, sizes.decoderDim()));
        decoderPred.initialize(manager, DataType.FLOAT32, new Shape(1, sizes.decoderDim()));
        int n = sizes.patches();
        encoderPos = manager.create(PositionEmbedding.sinCos2d(sizes.dim(), sizes.gridHeight(), sizes.gridWidth()),
                new Shape(1, n, sizes.dim())).duplicate();
        float[] dec = PositionEmbedding.sinCos2d(sizes.decoderDim(), sizes.gridHeight(), sizes.gridWidth());
        float[] withCls = new float[(n + 1) * sizes.decoderDim()];
        System.arraycopy(dec, 0, withCls, sizes.decoderDim(), dec.length); // the class token's row stays 0
        decoderPos = manager.create(withCls, new Shape(1, n + 1, sizes.decoderDim())).duplicate();
    }

    private static List<Block> linears(Block block, List<Block> out) {
        if (block instanceof Linear) {
            out.add(block);
        }
        for (Block child : block.getChildren().values()) {
            linears(child, out);
        }
        return out;
    }

    MaeSizes sizes() {
        return sizes;
    }

    Linear patchEmbed() {
        return patchEmbed;
    }

    Token classToken() {
        return cls;
    }

    List<TransformerBlock> encoderBlocks() {
        return encoderBlocks;
    }

    LayerNorm encoderNorm() {
        return encoderNorm;
    }

    /** The encoder's blocks (what the encoder service needs of a checkpoint). */
    BlockGroup encoder() {
        return encoder;
    }

    /**
     * The encoder's tokens {@code [B, 1+K, D]} (class token first) of patches {@code [B, N, p²C]},
     * keeping only the patches {@code keep [B, K]} (int64), or all of them in order when null.
     */
    NDArray encode(ParameterStore ps, NDArray patches, NDArray keep, boolean training) {
        NDArray x = patchEmbed.forward(ps, new NDList(patches), training).singletonOrThrow().add(encoderPos);
        long b = x.getShape().get(0);
        if (keep != null) {
            x = x.gather(keep.expandDims(2).broadcast(b, keep.getShape().get(1), sizes.dim()), 1);
        }
        x = NDArrays.concat(new NDList(cls.expand(ps, x, b, 1, training), x), 1);
        for (TransformerBlock block : encoderBlocks) {
            x = block.forward(ps, x, training);
        }
        return encoderNorm.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /**
     * The decoder's pixel predictions {@code [B, N, p²C]} for every patch, of encoder tokens
     * {@code [B, 1+K, D]} and each patch's place in the shuffled order, {@code restore [B, N]}.
     */
    NDArray decode(ParameterStore ps, NDArray latent, NDArray restore, boolean training) {
        NDArray y = decoderEmbed.forward(ps, new NDList(latent), training).singletonOrThrow();
        long b = y.getShape().get(0);
        long visible = y.getShape().get(1) - 1;
        long n = restore.getShape().get(1);
        int d = sizes.decoderDim();
        NDArray shuffled = NDArrays.concat(new NDList(y.get(":, 1:"), maskToken.expand(ps, y, b, n - visible, training)), 1);
        NDArray tokens = shuffled.gather(restore.expandDims(2).broadcast(b, n, d), 1);
        y = NDArrays.concat(new NDList(y.get(":, :1"), tokens), 1).add(decoderPos);
        for (TransformerBlock block : decoderBlocks) {
            y = block.forward(ps, y, training);
        }
        y = decoderNorm.forward(ps, new NDList(y), training).singletonOrThrow();
        return decoderPred.forward(ps, new NDList(y), training).singletonOrThrow().get(":, 1:");
    }

    /**
     * Features {@code [B, D]} of patches {@code [B, N, p²C]}: every patch encoded (no
     * masking), then the mean of the patch tokens (the class token left out).
     */
    NDArray features(ParameterStore ps, NDArray patches) {
        return features(ps, patches, EncoderFeatures.MEAN);
    }

    /**
     * Features of the kind {@code kind} of patches {@code [B, N, p²C]}, every patch encoded (no
     * masking), read from the tokens after the final LayerNorm: the mean of the patch tokens
     * {@code [B, D]}, the class token {@code [B, D]}, or the patch tokens in grid order flattened,
     * {@code [B, N D]} ({@link MaeSizes#featureSize}).
     */
    NDArray features(ParameterStore ps, NDArray patches, EncoderFeatures kind) {
        NDArray tokens = encode(ps, patches, null, false);
        switch (kind) {
            case CLS:
                return tokens.get(":, 0");
            case TOKENS:
                return tokens.get(":, 1:").reshape(tokens.getShape().get(0), sizes.featureSize(kind));
            default:
                return tokens.get(":, 1:").mean(new int[] {1});
        }
    }

    @Override
    public String toString() {
        return "MaeModel[" + sizes + "]";
    }
}
