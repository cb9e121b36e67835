package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.Heads;
import java.util.ArrayList;
import java.util.List;

/**
 * M, the MDN-RNN: an LSTM over {@code [z_t, a_t]} whose new hidden state {@code h_{t+1}} is mapped to
 * a mixture of {@code K} Gaussians for each dimension of {@code z_{t+1}} (log mixture weights, means,
 * log standard deviations) and, for Doom, the logit of the episode ending at {@code t+1}.
 *
 * <p>The LSTM is written as one cell (one linear map of {@code [x, h]} to the four gates, forget
 * gate biased by +1) so that training, the controller's real rollouts and the batched dream step the
 * very same function.
 */
final class MdnRnn extends BlockGroup {
    private final int zSize;
    private final int actionSize;
    private final int hidden;
    private final int mixtures;
    private final boolean predictDone;
    private final Linear gates;
    private final Linear head;

    /** LSTM state, {@code [B, H]} each. */
    record State(NDArray h, NDArray c) {}

    /**
     * M's prediction of {@code z_{t+1}}: log mixture weights, means and log standard deviations,
     * {@code [B, z, K]} each, and the end logit {@code [B]} (null without {@code predict_done}).
     */
    record Mixture(NDArray logPi, NDArray mu, NDArray logSigma, NDArray doneLogit) {}

    /** One step's new state and its prediction. */
    record Step(State state, Mixture mixture) {}

    /** An unroll's predictions, one per step, and the state after its last step. */
    record Unrolled(List<Mixture> mixtures, State last) {}

    MdnRnn(int zSize, int actionSize, int hidden, int mixtures, boolean predictDone) {
        this.zSize = zSize;
        this.actionSize = actionSize;
        this.hidden = hidden;
        this.mixtures = mixtures;
        this.predictDone = predictDone;
        this.gates = add("gates", Heads.linear(4L * hidden, true));
        this.head = add("mdn", Heads.linear(3L * zSize * mixtures + (predictDone ? 1 : 0), true));
    }

    void initializeParts(NDManager manager) {
        gates.initialize(manager, DataType.FLOAT32, new Shape(1, zSize + actionSize + hidden));
        head.initialize(manager, DataType.FLOAT32, new Shape(1, hidden));
    }

    int hidden() {
        return hidden;
    }

    int zSize() {
        return zSize;
    }

    int actionSize() {
        return actionSize;
    }

    boolean predictsDone() {
        return predictDone;
    }

    State initial(NDManager manager, long batch) {
        return new State(manager.zeros(new Shape(batch, hidden)), manager.zeros(new Shape(batch, hidden)));
    }

    /** {@code h_{t+1}, c_{t+1}} and the prediction of {@code z_{t+1}} from {@code z_t [B, z]}, {@code a_t [B, A]}. */
    Step step(ParameterStore ps, NDArray z, NDArray action, State state, boolean training) {
        NDArray x = z.concat(action, 1).concat(state.h(), 1);
        NDArray g = gates.forward(ps, new NDList(x), training).singletonOrThrow();
        NDList parts = g.split(4, 1);
        NDArray i = Activation.sigmoid(parts.get(0));
        NDArray f = Activation.sigmoid(parts.get(1).add(1f));
        NDArray cand = parts.get(2).tanh();
        NDArray o = Activation.sigmoid(parts.get(3));
        NDArray c = f.mul(state.c()).add(i.mul(cand));
        NDArray h = o.mul(c.tanh());
        return new Step(new State(h, c), mixture(ps, h, training));
    }

    /**
     * The LSTM over the {@code T} steps of {@code z [B, T, z]} and {@code action [B, T, A]} from
     * {@code initial}. Where {@code reset} ({@code [B * T]}, row-major; null: nowhere) is 1, that row's
     * state is zeroed before the step: an episode begins there, from the zero state it begins with in
     * real episodes and dreams, and nothing of the episode before leaks into it.
     */
    Unrolled unroll(ParameterStore ps, NDArray z, NDArray action, float[] reset, State initial, boolean training) {
        int b = (int) z.getShape().get(0);
        int steps = (int) z.getShape().get(1);
        State state = initial;
        List<Mixture> out = new ArrayList<>(steps);
        float[] keep = new float[b];
        for (int t = 0; t < steps; t++) {
            boolean any = false;
            for (int r = 0; r < b; r++) {
                boolean zeroed = reset != null && reset[r * steps + t] != 0f;
                keep[r] = zeroed ? 0f : 1f;
                any |= zeroed;
            }
            if (any) {
                NDArray k = z.getManager().create(keep, new Shape(b, 1));
                state = new State(state.h().mul(k), state.c().mul(k));
            }
            Step step = step(ps, z.get(":, {}", t), action.get(":, {}", t), state, training);
            state = step.state();
            out.add(step.mixture());
        }
        return new Unrolled(out, state);
    }

    private Mixture mixture(ParameterStore ps, NDArray h, boolean training) {
        NDArray out = head.forward(ps, new NDList(h), training).singletonOrThrow();
        long b = out.getShape().get(0);
        long n = (long) zSize * mixtures;
        NDArray params = out.get(":, :{}", 3 * n).reshape(b, zSize, 3L * mixtures);
        NDArray logits = params.get(":, :, :{}", mixtures);
        NDArray mu = params.get(":, :, {}:{}", mixtures, 2 * mixtures);
        NDArray logSigma = params.get(":, :, {}:", 2 * mixtures);
        NDArray done = predictDone ? out.get(":, {}", 3 * n) : null;
        return new Mixture(logits.logSoftmax(2), mu, logSigma, done);
    }
}
