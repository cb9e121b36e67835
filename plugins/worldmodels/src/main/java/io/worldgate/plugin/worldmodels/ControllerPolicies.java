package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Tensors;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Controllers in real episodes, V and M in the loop: the agent's acting policy and the policies
 * the host's evaluator plays. The frames of a batch are encoded once for every policy shown that
 * batch; z draws come from the agent's stream of the current call ({@code draws}).
 */
final class ControllerPolicies {
    private final WorldModelsConfig config;
    private final Spaces spaces;
    private final NDManager manager;
    private final ParameterStore ps;
    private final Vae vae;
    private final MdnRnn rnn;
    private final Controller controller;
    private final Supplier<SplittableRandom> draws;
    private StepBatch encodedBatch;
    private float[] encodedLatents;

    ControllerPolicies(WorldModelsConfig config, Spaces spaces, NDManager manager, ParameterStore ps, Vae vae,
            MdnRnn rnn, Controller controller, Supplier<SplittableRandom> draws) {
        this.config = config;
        this.spaces = spaces;
        this.manager = manager;
        this.ps = ps;
        this.vae = vae;
        this.rnn = rnn;
        this.controller = controller;
        this.draws = draws;
    }

    /** A policy of C with weights {@code params}; close it to free its arrays. */
    ControllerPolicy of(double[] params) {
        return new ControllerPolicy(params);
    }

    /** Forgets the last batch's latents (V has changed, or the agent was loaded). */
    void forgetBatch() {
        encodedBatch = null;
        encodedLatents = null;
    }

    /**
     * V's latents {@code [N * z]} of a batch's frames: draws from its posterior (as M saw in
     * training and C sees in the dream; the paper's code does the same), or the posterior means
     * with {@code sample_z=false}. Every candidate of a generation sees the same batch at each step,
     * so the frames are encoded (and z drawn) once, for the first who asks.
     */
    private float[] latents(StepBatch observations) {
        if (observations != encodedBatch) {
            try (NoGradient off = NoGradient.open(); UpdateScope u = UpdateScope.open(manager)) {
                NDArray frames = Tensors.toNDArray(u.manager(), observations.observations().get(Spaces.IMAGE));
                NDList post = vae.encode(ps, Vae.pixels(frames), false);
                NDArray z = post.get(0);
                if (config.sampleZ()) {
                    long n = z.getShape().get(0);
                    float[] eps = Dream.gaussians((int) n * config.zSize(), draws.get());
                    z = Vae.draw(z, post.get(1), u.manager().create(eps, z.getShape()));
                }
                encodedLatents = z.toFloatArray();
                encodedBatch = observations;
            }
        }
        return encodedLatents;
    }

    /**
     * One controller in real episodes: each frame through V (see {@link #latents}), C on {@code [z, h]}
     * (or {@code [z, c, h]}),
     * then M's LSTM on {@code [z, a]} for the next {@code h}, per environment; {@code h} restarts
     * at zero where an episode begins (or for another number of environments).
     */
    final class ControllerPolicy implements Policy, AutoCloseable {
        private final NDManager own = manager.newSubManager();
        private final Controller.Weights weights;
        private MdnRnn.State state;

        private ControllerPolicy(double[] params) {
            this.weights = controller.weights(own, new double[][] {params});
        }

        @Override
        public Tensor act(StepBatch observations) {
            int n = observations.size();
            try (NoGradient off = NoGradient.open(); UpdateScope u = UpdateScope.open(own)) {
                NDManager m = u.manager();
                NDArray z = m.create(latents(observations), new Shape(n, config.zSize()));
                MdnRnn.State s;
                if (state == null || state.h().getShape().get(0) != n) {
                    s = rnn.initial(m, n);
                    if (state != null) {
                        state.h().attach(m);
                        state.c().attach(m);
                    }
                } else {
                    state.h().attach(m);
                    state.c().attach(m);
                    float[] keep = new float[n];
                    boolean[] first = observations.isFirst();
                    for (int i = 0; i < n; i++) {
                        keep[i] = first[i] ? 0f : 1f;
                    }
                    NDArray k = m.create(keep, new Shape(n, 1));
                    s = new MdnRnn.State(state.h().mul(k), state.c().mul(k));
                }
                NDArray x = controller.input(z, s).reshape(1, n, controller.inputs());
                NDArray a = controller.act(weights, x).reshape(n, controller.actions());
                MdnRnn.Step step = rnn.step(ps, z, a, s, false);
                state = new MdnRnn.State(u.keep(step.state().h(), own), u.keep(step.state().c(), own));
                return spaces.hostActions(a);
            }
        }

        @Override
        public void close() {
            own.close();
        }
    }
}
