package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code E} MLPs of the same shape that read the same input, computed as one program over stacked
 * weights, such as TD-MPC2's ensemble of Q heads. Member {@code e} is
 *
 * <pre>
 *   h_1 = Mish(LN_1,e(Dropout(W_1,e x + b_1,e)))          (dropout on the first layer only, if any)
 *   h_i = Mish(LN_i,e(W_i,e h_{i-1} + b_i,e))             (i = 2 .. layers)
 *   y_e = W_out,e h_layers + b_out,e
 * </pre>
 *
 * with its own weights, LayerNorm scales and offsets. The input {@code x [..., D]} is shared; the
 * output is {@code [E, ..., outputs]}. The first layer is one matrix product of {@code x} with the
 * members' weights side by side, each later layer one batched product over the members, and
 * LayerNorm, Mish and dropout one operation each over the stack: the operation count does not grow
 * with {@code E}. Under bfloat16 products the hidden activations stay bfloat16 (the members' LayerNorm
 * scales and offsets cast to bfloat16 for them), as in {@link Heads#hiddenLinear}; the output is
 * float32. {@link #forward(ParameterStore, NDArray, int[], boolean)} computes only some members.
 *
 * <p>Parameters, per layer: {@code weight [E, out, in]} (a {@code Linear}'s {@code [out, in]} per
 * member), {@code bias [E, out]}, and for hidden layers {@code gamma}, {@code beta [E, units]}.
 */
public final class EnsembleMlp extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int members;
    private final int units;
    private final int layers;
    private final int outputs;
    private final float dropout;
    private final float epsilon;
    private final List<Parameter> weights = new ArrayList<>();
    private final List<Parameter> biases = new ArrayList<>();
    private final List<Parameter> gammas = new ArrayList<>();
    private final List<Parameter> betas = new ArrayList<>();
    private final Map<String, NDArray> memberIndexes = new ConcurrentHashMap<>();
    private NDManager home;
    private NDArray unitScale;
    private NDArray zeroOffset;

    /**
     * @param members ensemble size {@code E}
     * @param units width of each hidden layer
     * @param layers hidden layers (>= 1)
     * @param outputs size of each member's output
     * @param dropout dropout rate after the first layer's linear map (0: none)
     * @param epsilon LayerNorm epsilon
     */
    public EnsembleMlp(int members, int units, int layers, int outputs, float dropout, float epsilon) {
        super(VERSION);
        if (members < 1 || units < 1 || layers < 1 || outputs < 1) {
            throw new IllegalArgumentException("members, units, layers and outputs must be >= 1: " + members + ", "
                    + units + ", " + layers + ", " + outputs);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), not " + dropout);
        }
        this.members = members;
        this.units = units;
        this.layers = layers;
        this.outputs = outputs;
        this.dropout = dropout;
        this.epsilon = epsilon;
        for (int i = 0; i <= layers; i++) {
            weights.add(addParameter(Parameter.builder().setName("weight" + i).setType(Parameter.Type.WEIGHT).build()));
            biases.add(addParameter(Parameter.builder().setName("bias" + i).setType(Parameter.Type.BIAS).build()));
            if (i < layers) {
                gammas.add(addParameter(Parameter.builder().setName("gamma" + i).setType(Parameter.Type.GAMMA).build()));
                betas.add(addParameter(Parameter.builder().setName("beta" + i).setType(Parameter.Type.BETA).build()));
            }
        }
    }

    public int members() {
        return members;
    }

    /** Every member's output for {@code x [..., D]}: {@code [E, ..., outputs]}. */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, x, null, training);
    }

    /**
     * The outputs of members {@code chosen} only (in that order; null for all):
     * {@code [chosen.length, ..., outputs]}. Their weights are gathered, so the cost is that of
     * {@code chosen.length} members.
     */
    public NDArray forward(ParameterStore ps, NDArray x, int[] chosen, boolean training) {
        Shape in = x.getShape();
        long d = in.get(in.dimension() - 1);
        long rows = in.size() / d;
        NDArray index = chosen == null || isAll(chosen) ? null : indexOf(chosen);
        int k = chosen == null ? members : chosen.length;
        NDArray h = null;
        for (int i = 0; i <= layers; i++) {
            NDArray w = pick(ps, weights.get(i), x, training, index);
            NDArray b = pick(ps, biases.get(i), x, training, index);
            long out = w.getShape().get(1);
            if (i == 0) {
                // the shared input times every member's weights at once: [rows, k * out] -> [k, rows, out]
                NDArray flat = Products.hiddenLinear(x.reshape(rows, d), local(w.reshape(k * out, d), x),
                        local(b.reshape(k * out), x));
                h = flat.reshape(rows, k, out).transpose(1, 0, 2);
            } else if (i < layers) {
                NDArray product = Products.hiddenMatMul(h, local(w.transpose(0, 2, 1), x));
                h = product.add(like(local(b.expandDims(1), x), product));
            } else {
                // the output layer: float32 for the losses and the two-hot softmax
                h = Products.matMul(h, local(w.transpose(0, 2, 1), x)).add(local(b.expandDims(1), x));
            }
            if (i == layers) {
                break;
            }
            if (i == 0 && dropout > 0) {
                h = Dropout.dropout(h, dropout, training).singletonOrThrow();
            }
            NDArray g = pick(ps, gammas.get(i), x, training, index);
            NDArray beta = pick(ps, betas.get(i), x, training, index);
            NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(h, new Shape(units), unitScale, zeroOffset, epsilon)
                    .singletonOrThrow();
            h = normed.mul(like(local(g.expandDims(1), x), normed)).add(like(local(beta.expandDims(1), x), normed));
            h = Mish.mish(h);
        }
        return h.reshape(new Shape(k).addAll(in.slice(0, in.dimension() - 1)).add(outputs));
    }

    /**
     * A member parameter {@code p} in the type of the activation {@code h} it scales or offsets:
     * cast to bfloat16 (with autograd, so its gradient arrives in float32) where the hidden
     * activations are bfloat16 ({@link Products#hiddenLinear}), so they stay bfloat16 rather than
     * being promoted to float32 by a float32 operand.
     */
    private static NDArray like(NDArray p, NDArray h) {
        if (!Bf16Kernels.isBf16(h)) {
            return p;
        }
        NDArray cast = Bf16Kernels.toBf16(p);
        return cast == null ? p : cast;
    }

    private boolean isAll(int[] chosen) {
        if (chosen.length != members) {
            return false;
        }
        for (int i = 0; i < members; i++) {
            if (chosen[i] != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index array of {@code chosen}, made once per choice on the parameters' manager and
     * device: a planner asks for the same few pairs of heads in every iteration, and should not
     * copy an index from the host each time.
     */
    private NDArray indexOf(int[] chosen) {
        for (int c : chosen) {
            if (c < 0 || c >= members) {
                throw new IllegalArgumentException("member " + c + " of an ensemble of " + members);
            }
        }
        return memberIndexes.computeIfAbsent(Arrays.toString(chosen), key -> {
            long[] ix = Arrays.stream(chosen).asLongStream().toArray();
            // a copy libtorch owns (create(long[]) views a Java buffer; see Scalars)
            try (NDArray javaBacked = home.create(ix)) {
                return javaBacked.duplicate();
            }
        });
    }

    private static NDArray pick(ParameterStore ps, Parameter p, NDArray x, boolean training, NDArray index) {
        NDArray v = ps.getValue(p, x.getDevice(), training);
        return index == null ? v : local(v.get(new NDIndex("{}", index)), x);
    }

    /**
     * {@code derived}, a view or gather of a parameter, moved to the input's manager: DJL attaches
     * an operation's result to its first operand's manager, which for a parameter lives as long as
     * the model, so every call would otherwise leave arrays behind there.
     */
    private static NDArray local(NDArray derived, NDArray x) {
        derived.attach(x.getManager());
        return derived;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(store, inputs.singletonOrThrow(), null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(members).addAll(in.slice(0, in.dimension() - 1)).add(outputs)};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long d = in.get(in.dimension() - 1);
        for (int i = 0; i <= layers; i++) {
            long out = i == layers ? outputs : units;
            weights.get(i).setShape(new Shape(members, out, i == 0 ? d : units));
            biases.get(i).setShape(new Shape(members, out));
            if (i < layers) {
                gammas.get(i).setShape(new Shape(members, units));
                betas.get(i).setShape(new Shape(members, units));
            }
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, ai.djl.ndarray.types.DataType dataType,
            Shape... inputShapes) {
        // LayerNorm over the stack normalises with unit scale and zero offset, then applies each
        // member's own: constants on the parameters' manager and device
        home = manager;
        unitScale = manager.ones(new Shape(units), dataType);
        zeroOffset = manager.zeros(new Shape(units), dataType);
    }

    /** Sets the output layer's weights and biases to zero in place (call without gradients). */
    public void zeroOutput() {
        weights.get(layers).getArray().muli(0f);
        biases.get(layers).getArray().muli(0f);
    }

    @Override
    public String toString() {
        return "EnsembleMlp(" + members + " x [" + units + " x " + layers + " -> " + outputs + "], dropout " + dropout + ")";
    }
}
