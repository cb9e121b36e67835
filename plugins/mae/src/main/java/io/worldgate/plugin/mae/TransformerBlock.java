package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.Products;
import io.worldgate.runtime.nn.LayerNorm;
import io.worldgate.runtime.tensor.Scalars;

/**
 * A pre-LayerNorm transformer block on tokens {@code [B, L, D]}:
 *
 * <pre>
 *   x ← x + Proj(MultiHeadSelfAttention(LN(x)))
 *   x ← x + Linear_D(GELU(Linear_4D(LN(x))))
 * </pre>
 *
 * with scaled dot-product attention {@code softmax(q kᵀ / sqrt(D/H)) v} over {@code H} heads.
 */
final class TransformerBlock extends BlockGroup {
    private final int dim;
    private final int heads;
    private final LayerNorm norm1;
    private final Linear qkv;
    private final Linear proj;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;

    TransformerBlock(int dim, int heads, float normEpsilon) {
        this.dim = dim;
        this.heads = heads;
        norm1 = add("norm1", LayerNorm.overFeatures(normEpsilon));
        qkv = add("qkv", Heads.linear(3L * dim, true));
        proj = add("proj", Heads.linear(dim, true));
        norm2 = add("norm2", LayerNorm.overFeatures(normEpsilon));
        fc1 = add("fc1", Heads.linear((long) MaeSizes.MLP_RATIO * dim, true));
        fc2 = add("fc2", Heads.linear(dim, true));
    }

    void initialize(NDManager manager) {
        Shape d = new Shape(1, dim);
        for (Block b : new Block[] {norm1, qkv, proj, norm2, fc1}) {
            b.initialize(manager, DataType.FLOAT32, d);
        }
        fc2.initialize(manager, DataType.FLOAT32, new Shape(1, (long) MaeSizes.MLP_RATIO * dim));
    }

    /** The layers in order: norm1, qkv, proj, norm2, fc1, fc2 (for loading weights of another layout). */
    Block[] layers() {
        return new Block[] {norm1, qkv, proj, norm2, fc1, fc2};
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        x = x.add(attention(ps, one(norm1, ps, x, training), training));
        NDArray h = Activation.gelu(one(fc1, ps, one(norm2, ps, x, training), training));
        return x.add(one(fc2, ps, h, training));
    }

    /** Multi-head self-attention with its output projection, of normalised tokens {@code [B, L, D]}. */
    NDArray attention(ParameterStore ps, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        int headDim = dim / heads;
        NDArray all = one(qkv, ps, x, training).reshape(b, l, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = Scalars.mul(all.get(0), (float) (1 / Math.sqrt(headDim)));
        NDArray k = all.get(1);
        NDArray v = all.get(2);
        NDArray weights = Products.matMul(q, k.transpose(0, 1, 3, 2)).softmax(-1);
        NDArray out = Products.matMul(weights, v).transpose(0, 2, 1, 3).reshape(b, l, dim);
        return one(proj, ps, out, training);
    }

    private static NDArray one(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }
}
