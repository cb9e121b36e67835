package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.worldgate.runtime.dist.Independent;
import io.worldgate.runtime.dist.OneHotCategorical;
import io.worldgate.runtime.nn.GruCell;
import io.worldgate.runtime.nn.Mlp;
import java.util.ArrayList;
import java.util.List;

/**
 * DreamerV3's recurrent state-space model. The model state is {@code s_t = (h_t, z_t)}: a
 * deterministic state {@code h_t} (a GRU's) and a stochastic state {@code z_t} of {@code S}
 * categorical latents with {@code K} classes each. With observation embedding {@code e_t = enc(x_t)}
 * and the action {@code a_{t-1}} taken before {@code x_t}:
 *
 * <pre>
 *   sequence model        h_t = f(h_{t-1}, z_{t-1}, a_{t-1})        (img_in: [z, a] -> MLP, then the GRU)
 *   dynamics predictor    ẑ_t ~ p(ẑ_t | h_t)                        (img_out: h -> logits, the prior)
 *   representation model z_t ~ q(z_t | h_t, x_t)                    (obs_out: [h, e] -> logits, the posterior)
 * </pre>
 *
 * Both categoricals mix in {@code unimix} (1%) uniform probability; samples are one-hot with
 * straight-through gradients. {@link #imgStep} is one step of imagination (prior only),
 * {@link #obsStep} one step of filtering (prior transition, then the posterior), {@link #observe}
 * filters whole sequences and {@link #imagine} rolls the prior forward open-loop with given
 * actions. Where an episode starts ({@code is_first}), the previous state and action are replaced
 * by the initial state: zeros, or DreamerV3's learned {@code h_0 = tanh(w)} with {@code z_0} the
 * mode of {@code p(z | h_0)}.
 *
 * <p>Shapes: batch {@code [N, ...]} or sequences {@code [B, T, ...]}; {@code h: [.., D]},
 * {@code z: [.., S K]} (flattened one-hots), logits {@code [.., S, K]}.
 */
final class Rssm extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int deter;
    private final int stoch;
    private final int classes;
    private final float unimix;
    private final boolean learnedInitial;
    private final Mlp imgIn;
    private final GruCell gru;
    private final Mlp imgOut;
    private final Mlp obsOut;
    private final Parameter initial;

    /** Posterior states of sequences and the prior logits at the same steps. */
    record Observation(RssmState posterior, NDArray priorLogits) {}

    Rssm(DreamerConfig c) {
        super(VERSION);
        this.deter = c.deter();
        this.stoch = c.stoch();
        this.classes = c.classes();
        this.unimix = c.unimix();
        this.learnedInitial = c.learnedInitial();
        int latent = stoch * classes;
        this.imgIn = addChildBlock("img_in", Mlp.builder().units(c.hidden()).layers(1).build());
        this.gru = addChildBlock("gru", GruCell.dreamer(deter));
        this.imgOut = addChildBlock("img_out", Mlp.builder().units(c.hidden()).layers(1).outputs(latent).build());
        this.obsOut = addChildBlock("obs_out", Mlp.builder().units(c.hidden()).layers(1).outputs(latent).build());
        this.initial = addParameter(Parameter.builder().setName("initial").setType(Parameter.Type.OTHER)
                .optInitializer(Initializer.ZEROS).optShape(new Shape(deter)).build());
    }

    int deterSize() {
        return deter;
    }

    int latentSize() {
        return stoch * classes;
    }

    /** Initialises the parameters for embeddings of {@code embedSize} and actions of {@code actionSize}. */
    void initialize(NDManager manager, long embedSize, long actionSize) {
        initialize(manager, DataType.FLOAT32, new Shape(1, embedSize), new Shape(1, actionSize));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long embed = inputShapes[0].get(1);
        long action = inputShapes[1].get(1);
        imgIn.initialize(manager, dataType, new Shape(1, latentSize() + action));
        gru.initialize(manager, dataType, new Shape(1, imgIn.units()), new Shape(1, deter));
        imgOut.initialize(manager, dataType, new Shape(1, deter));
        obsOut.initialize(manager, dataType, new Shape(1, deter + embed));
    }

    /** The distribution of {@code z} for logits {@code [.., S, K]}: S independent categoricals with unimix. */
    Independent distribution(NDArray logits) {
        return new Independent(new OneHotCategorical(logits, unimix), 1);
    }

    /**
     * The initial state as a batch of one, {@code h [1, D]}, {@code z [1, S K]}, created in
     * {@code manager}. Zeros, or the learned {@code h_0 = tanh(w)} and {@code z_0 = mode p(z | h_0)}.
     */
    RssmState initialState(ParameterStore ps, NDManager manager) {
        NDArray h = manager.zeros(new Shape(1, deter));
        if (!learnedInitial) {
            return new RssmState(h, manager.zeros(new Shape(1, latentSize())), null);
        }
        // 0 + w: the parameter enters through an array of this manager, so results stay here
        NDArray w = ps.getValue(initial, h.getDevice(), true);
        h = h.add(w).tanh();
        NDArray logits = priorLogits(ps, h);
        NDArray z = new OneHotCategorical(logits, unimix).mode().reshape(1, latentSize());
        return new RssmState(h, z, logits);
    }

    /** A zero state for a batch of {@code n} (the carried state before the first step; is_first replaces it). */
    RssmState zeroState(NDManager manager, long n) {
        return new RssmState(manager.zeros(new Shape(n, deter)), manager.zeros(new Shape(n, latentSize())), null);
    }

    /** The prior logits {@code [.., S, K]} of {@code p(z | h)} for {@code h [.., D]}. */
    NDArray priorLogits(ParameterStore ps, NDArray h) {
        NDArray flat = imgOut.forward(ps, new NDList(h), true).singletonOrThrow();
        return toLogits(flat);
    }

    private NDArray toLogits(NDArray flat) {
        Shape s = flat.getShape();
        NDArray logits = flat.reshape(s.slice(0, s.dimension() - 1).addAll(new Shape(stoch, classes)));
        // a view: the handle it was made from is dead (released now, not when the update ends)
        flat.close();
        return logits;
    }

    /** A flattened one-hot sample {@code [.., S K]} of {@code p(z)} for logits {@code [.., S, K]}. */
    private NDArray sampleLatent(NDArray logits, boolean sample, boolean straightThrough) {
        NDArray onehot = OneHotCategorical.sampleOneHot(logits, unimix, sample, straightThrough);
        NDArray z = flatten(onehot);
        onehot.close();
        return z;
    }

    private NDArray flatten(NDArray onehot) {
        Shape s = onehot.getShape();
        return onehot.reshape(s.slice(0, s.dimension() - 2).add(latentSize()));
    }

    /** The sequence model: {@code h_t = f(h_{t-1}, z_{t-1}, a_{t-1})}. */
    private NDArray sequenceModel(ParameterStore ps, NDArray prevDeter, NDArray prevStoch, NDArray prevAction) {
        NDArray x = imgIn.forward(ps, new NDList(NDArrays.concat(new NDList(prevStoch, prevAction), -1)), true)
                .singletonOrThrow();
        return gru.forward(ps, new NDList(x, prevDeter), true).singletonOrThrow();
    }

    /**
     * One imagination step from {@code prev} with action {@code a [N, A]}: {@code h' = f(h, z, a)},
     * {@code z' ~ p(z' | h')} (a sample, or the mode), with straight-through gradients where
     * {@code straightThrough} (only needed when the rollout is differentiated).
     */
    RssmState imgStep(ParameterStore ps, RssmState prev, NDArray action, boolean sample, boolean straightThrough) {
        NDArray h = sequenceModel(ps, prev.deter(), prev.stoch(), action);
        NDArray logits = priorLogits(ps, h);
        return new RssmState(h, sampleLatent(logits, sample, straightThrough), logits);
    }

    /**
     * One filtering step: resets {@code prev} and {@code prevAction} to the initial state where
     * {@code isFirst [N]} is 1, advances the sequence model, and draws {@code z_t} from the
     * posterior {@code q(z_t | h_t, e_t)} (a sample, or the mode; straight-through gradients when
     * {@code straightThrough}). Returns the posterior state; its prior logits are
     * {@link #priorLogits} of its {@code h}.
     *
     * @param init the initial state from {@link #initialState} (batch of one, broadcast)
     */
    RssmState obsStep(ParameterStore ps, RssmState prev, NDArray prevAction, NDArray embed, NDArray isFirst,
            RssmState init, boolean sample, boolean straightThrough) {
        NDArray first = isFirst.expandDims(-1);
        NDArray keep = first.neg().add(1f);
        NDArray h = prev.deter().mul(keep);
        NDArray z = prev.stoch().mul(keep);
        NDArray a = prevAction.mul(keep);
        if (learnedInitial) {
            h = h.add(first.mul(init.deter()));
            z = z.add(first.mul(init.stoch()));
        }
        return posteriorStep(ps, h, z, a, embed, sample, straightThrough);
    }

    /** The sequence model and the representation model from an already reset previous state. */
    private RssmState posteriorStep(ParameterStore ps, NDArray h, NDArray z, NDArray a, NDArray embed, boolean sample,
            boolean straightThrough) {
        NDArray deterNext = sequenceModel(ps, h, z, a);
        NDArray logits = toLogits(obsOut.forward(ps, new NDList(NDArrays.concat(new NDList(deterNext, embed), -1)), true)
                .singletonOrThrow());
        return new RssmState(deterNext, sampleLatent(logits, sample, straightThrough), logits);
    }

    /**
     * Filters sequences: the posterior states {@code [B, T]} for embeddings {@code e [B, T, E]},
     * previous actions {@code a_{t-1} [B, T, A]} and episode starts {@code [B, T]}, starting from
     * {@code start [B]} (null: the zero state, which is_first at step 0 replaces), and the prior
     * logits {@code [B, T, S, K]} at the same steps (computed for all steps at once after the loop,
     * since they depend on {@code h_t} only).
     */
    Observation observe(ParameterStore ps, NDArray embed, NDArray prevActions, NDArray isFirst, RssmState start) {
        NDManager m = embed.getManager();
        long b = embed.getShape().get(0);
        int steps = Math.toIntExact(embed.getShape().get(1));
        RssmState state = start != null ? start : zeroState(m, b);
        RssmState init = initialState(ps, m);
        // the reset masks of all steps at once: keep = 1 - is_first, and the initial state where first
        NDArray first = isFirst.expandDims(-1);
        NDArray keep = first.neg().add(1f);
        NDList e = embed.split(steps, 1);
        NDList a = prevActions.mul(keep).split(steps, 1);
        NDList k = keep.split(steps, 1);
        NDList h0 = learnedInitial ? first.mul(init.deter()).split(steps, 1) : null;
        NDList z0 = learnedInitial ? first.mul(init.stoch()).split(steps, 1) : null;
        List<NDArray> hs = new ArrayList<>(steps);
        List<NDArray> zs = new ArrayList<>(steps);
        List<NDArray> ls = new ArrayList<>(steps);
        for (int t = 0; t < steps; t++) {
            NDArray keepT = k.get(t).squeeze(1);
            NDArray h = state.deter().mul(keepT);
            NDArray z = state.stoch().mul(keepT);
            if (learnedInitial) {
                h = h.add(h0.get(t).squeeze(1));
                z = z.add(z0.get(t).squeeze(1));
            }
            state = posteriorStep(ps, h, z, a.get(t).squeeze(1), e.get(t).squeeze(1), true, true);
            hs.add(state.deter());
            zs.add(state.stoch());
            ls.add(state.logits());
        }
        NDArray h = NDArrays.stack(new NDList(hs), 1);
        RssmState posterior = new RssmState(h, NDArrays.stack(new NDList(zs), 1), NDArrays.stack(new NDList(ls), 1));
        return new Observation(posterior, priorLogits(ps, h));
    }

    /**
     * Open-loop prediction: rolls the prior forward from {@code start [B]} with the given actions
     * {@code [B, T, A]} (the action taken in each state), giving the states {@code [B, T]} that
     * follow them.
     */
    RssmState imagine(ParameterStore ps, NDArray actions, RssmState start, boolean sample) {
        int steps = Math.toIntExact(actions.getShape().get(1));
        NDList a = actions.split(steps, 1);
        RssmState state = start;
        List<NDArray> hs = new ArrayList<>(steps);
        List<NDArray> zs = new ArrayList<>(steps);
        List<NDArray> ls = new ArrayList<>(steps);
        for (int t = 0; t < steps; t++) {
            state = imgStep(ps, state, a.get(t).squeeze(1), sample, false);
            hs.add(state.deter());
            zs.add(state.stoch());
            ls.add(state.logits());
        }
        return new RssmState(NDArrays.stack(new NDList(hs), 1), NDArrays.stack(new NDList(zs), 1),
                NDArrays.stack(new NDList(ls), 1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        throw new UnsupportedOperationException("call observe, obsStep, imgStep or imagine");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("the RSSM has no single forward pass");
    }
}
