package io.worldgate.runtime.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * HarmonyDream's harmonious loss: each world-model loss term {@code L_i} gets a learnable scale
 * {@code σ_i = exp(s_i)} and the total is
 *
 * <pre>
 *   L = Σ_i  L_i / σ_i + ln(1 + σ_i)  =  Σ_i  L_i e^{-s_i} + softplus(s_i)
 * </pre>
 *
 * (the "rectified" form: {@code ln(1 + σ)} rather than {@code ln σ} keeps the loss bounded below
 * when a term goes to zero). At the optimum {@code σ_i / (1 + σ_i) = L_i / σ_i}, so each term is
 * rescaled towards a comparable magnitude. The gradient with respect to {@code s_i} is
 * {@code -L_i e^{-s_i} + σ_i / (1 + σ_i)}. {@code s} starts at 0 ({@code σ = 1}).
 *
 * <p>{@link #withRegularizerWeights} weights the regulariser of each term, {@code c_i ln(1 + σ_i)}:
 * HarmonyDream's code balances the KL as {@code (β_dyn dyn + β_rep rep) / (β_dyn + β_rep)} with
 * {@code c = β_dyn / (β_dyn + β_rep)}.
 *
 * <p>A block with one parameter {@code s} of shape {@code [n]}; train it with the world model's
 * optimizer. Forward input: {@code n} scalar losses (an NDList, or one array {@code [n]});
 * output: the scalar total.
 */
public final class HarmoniousLoss extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int terms;
    private final float[] regularizerWeights;
    private final Parameter logScales;

    /** @param terms the number of loss terms {@code n}, each regulariser at weight 1 */
    public HarmoniousLoss(int terms) {
        this(terms, null);
    }

    /** One loss term per weight {@code c_i} of its regulariser {@code c_i ln(1 + σ_i)}. */
    public static HarmoniousLoss withRegularizerWeights(float... weights) {
        return new HarmoniousLoss(weights.length, weights.clone());
    }

    private HarmoniousLoss(int terms, float[] regularizerWeights) {
        super(VERSION);
        if (terms < 1) {
            throw new IllegalArgumentException("need at least one loss term");
        }
        this.terms = terms;
        this.regularizerWeights = regularizerWeights;
        this.logScales = addParameter(Parameter.builder()
                .setName("s")
                .setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ZEROS)
                .optShape(new Shape(terms))
                .build());
    }

    public int terms() {
        return terms;
    }

    /** Initialises {@code s = 0} in {@code manager} (no input shape is needed). */
    public void initialize(ai.djl.ndarray.NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(terms));
    }

    /** The learnable {@code s} parameter. */
    public Parameter logScales() {
        return logScales;
    }

    /** The total loss for {@code losses} ({@code n} scalars, or one array {@code [n]}). */
    public NDArray combine(ParameterStore store, NDList losses) {
        return forward(store, losses, true).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray l;
        if (inputs.size() == 1 && inputs.get(0).getShape().equals(new Shape(terms))) {
            l = inputs.get(0);
        } else if (inputs.size() == terms) {
            NDList flat = new NDList(terms);
            for (NDArray a : inputs) {
                if (a.size() != 1) {
                    throw new IllegalArgumentException("each loss term must be a scalar, got " + a.getShape());
                }
                flat.add(a.reshape());
            }
            l = NDArrays.stack(flat);
        } else {
            throw new IllegalArgumentException("expected " + terms + " loss terms, got " + inputs.size());
        }
        NDArray param = store.getValue(logScales, l.getDevice(), training);
        // 0 + s: a copy of s in the input's (update) manager that still passes gradients to s, so
        // that no intermediate attaches to the parameter's manager
        NDArray s = l.zerosLike().add(param);
        NDArray scaled = l.mul(s.neg().exp());
        NDArray reg = Activation.softPlus(s);
        if (regularizerWeights != null) {
            // the weights as arrays libtorch owns (see runtime.tensor.Scalars)
            NDList c = new NDList(terms);
            for (float w : regularizerWeights) {
                c.add(l.getManager().full(new Shape(), w, l.getDataType()));
            }
            NDArray weights = NDArrays.stack(c);
            c.close();
            reg = reg.mul(weights);
        }
        return new NDList(scaled.add(reg).sum());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        // the shape of s is fixed at construction
    }
}
