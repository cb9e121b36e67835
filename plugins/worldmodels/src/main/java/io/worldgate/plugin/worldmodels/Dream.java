package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.tensor.Scalars;
import java.util.SplittableRandom;

/**
 * Episodes played entirely inside M: the controller acts on {@code [z, h]} (or {@code [z, c, h]}),
 * M's mixture (at temperature τ) gives the next z, and its end logit whether the episode ends
 * ({@link End}); every step survived scores 1 (Doom TakeCover's reward), the step that ends it
 * included. The whole population's episodes, {@code P} candidates times {@code R} rollouts, step
 * together as one batch of {@code P R} rows: one LSTM step, one batched controller product and one
 * mixture draw per time step, not one candidate after another.
 *
 * <p>Randomness is per rollout, not per row: rollout {@code r}'s seed draws its start (one of the
 * encoded first frames, and a z from its posterior) and, each step, the uniforms that pick the mixture
 * components and the end and the normals of z. Every candidate's rollout {@code r} meets the same
 * draws (common random numbers, a fairer ranking), and a candidate played alone with the same seeds
 * has the same episodes as in the batch.
 */
final class Dream {
    /** How M's end logit ends a dream episode. */
    enum End {
        /** Where the step's uniform draw falls below M's end probability (M calibrated, the end a random event). */
        SAMPLE,
        /**
         * Where the end logit is above 0, deterministically (the paper's code, whose M weights the
         * ending steps 10 times in its loss: {@code done_weight}).
         */
        THRESHOLD
    }

    /** How often the loop checks whether every episode has ended (a check waits for the device). */
    private static final int CHECK_EVERY = 8;

    private final MdnRnn m;
    private final ParameterStore ps;
    private final Controller controller;
    private final float temperature;
    private final int maxSteps;
    private final End end;

    Dream(MdnRnn m, ParameterStore ps, Controller controller, float temperature, int maxSteps, End end) {
        if (!m.predictsDone()) {
            throw new IllegalArgumentException("a dream needs an M that predicts the episode's end (predict_done=true)");
        }
        this.m = m;
        this.ps = ps;
        this.controller = controller;
        this.temperature = temperature;
        this.maxSteps = maxSteps;
        this.end = end;
    }

    /**
     * The returns {@code [P][R]} of every candidate's rollouts.
     *
     * @param params the candidates' controller weights {@code [P][dimension]}
     * @param seeds one seed per rollout {@code [R]}
     * @param starts the encoded first frames a dream starts from
     */
    double[][] returns(NDManager base, double[][] params, long[] seeds, DreamStarts starts) {
        int p = params.length;
        int r = seeds.length;
        int z = m.zSize();
        SplittableRandom[] rngs = new SplittableRandom[r];
        float[] z0 = new float[r * z];
        for (int j = 0; j < r; j++) {
            rngs[j] = new SplittableRandom(seeds[j]);
            starts.draw(rngs[j], z0, j * z);
        }
        try (NoGradient off = NoGradient.open(); NDManager carry = base.newSubManager()) {
            Controller.Weights w = controller.weights(carry, params);
            NDArray zs = tile(carry, z0, p, r, z);
            MdnRnn.State state = m.initial(carry, (long) p * r);
            NDArray alive = carry.ones(new Shape((long) p * r));
            NDArray score = carry.zeros(new Shape((long) p * r));
            float[] uMix = new float[r * z];
            float[] eps = new float[r * z];
            float[] uDone = new float[r];
            for (int t = 0; t < maxSteps; t++) {
                for (int j = 0; j < r; j++) {
                    for (int d = 0; d < z; d++) {
                        uMix[j * z + d] = (float) rngs[j].nextDouble();
                    }
                    for (int d = 0; d < z; d++) {
                        eps[j * z + d] = (float) gaussian(rngs[j]);
                    }
                    uDone[j] = (float) rngs[j].nextDouble();
                }
                try (UpdateScope s = UpdateScope.open(carry)) {
                    NDManager sm = s.manager();
                    for (NDArray old : new NDArray[] {zs, state.h(), state.c(), alive, score}) {
                        old.attach(sm);
                    }
                    NDArray x = controller.input(zs, state).reshape(p, r, controller.inputs());
                    NDArray a = controller.act(w, x).reshape((long) p * r, controller.actions());
                    MdnRnn.Step step = m.step(ps, zs, a, state, false);
                    MdnRnn.Mixture mix = WorldModelsLosses.withTemperature(step.mixture(), temperature);
                    NDArray next = sample(mix, tile(sm, uMix, p, r, z), tile(sm, eps, p, r, z));
                    // the uniform is drawn under both rules, so that the other draws do not depend on the rule
                    NDArray ended = (end == End.THRESHOLD ? mix.doneLogit().gt(0f)
                            : tile(sm, uDone, p, r, 1).reshape((long) p * r).lt(Activation.sigmoid(mix.doneLogit())))
                            .toType(DataType.FLOAT32, false);
                    NDArray newScore = score.add(alive);
                    NDArray newAlive = alive.mul(ended.neg().add(1f));
                    NDList kept = s.keepAll(new NDList(next, step.state().h(), step.state().c(), newAlive, newScore), carry);
                    zs = kept.get(0);
                    state = new MdnRnn.State(kept.get(1), kept.get(2));
                    alive = kept.get(3);
                    score = kept.get(4);
                }
                if ((t + 1) % CHECK_EVERY == 0 && alive.sum().getFloat() == 0f) {
                    break;
                }
            }
            float[] flat = score.toFloatArray();
            double[][] out = new double[p][r];
            for (int c = 0; c < p; c++) {
                for (int j = 0; j < r; j++) {
                    out[c][j] = flat[c * r + j];
                }
            }
            return out;
        }
    }

    /**
     * z drawn from the mixture {@code [B, z, K]}: component {@code k} where the uniform {@code u [B, z]}
     * falls in the cumulative weights, then {@code μ_k + σ_k ε}.
     */
    static NDArray sample(MdnRnn.Mixture mix, NDArray u, NDArray eps) {
        long kCount = mix.logPi().getShape().get(2);
        NDArray cumulative = mix.logPi().exp().cumSum(2);
        NDArray below = cumulative.lt(u.expandDims(2)).toType(DataType.FLOAT32, false).sum(new int[] {2});
        NDArray index = Scalars.minimum(below, kCount - 1f).toType(DataType.INT64, false);
        NDArray pick = index.oneHot((int) kCount, DataType.FLOAT32);
        NDArray mu = mix.mu().mul(pick).sum(new int[] {2});
        NDArray sigma = mix.logSigma().mul(pick).sum(new int[] {2}).exp();
        return mu.add(sigma.mul(eps));
    }

    /** Per-rollout values {@code [R * width]} repeated for each of the {@code P} candidates: {@code [P R, width]}. */
    private static NDArray tile(NDManager manager, float[] perRollout, int p, int r, int width) {
        float[] out = new float[p * r * width];
        for (int c = 0; c < p; c++) {
            System.arraycopy(perRollout, 0, out, c * r * width, r * width);
        }
        return manager.create(out, new Shape((long) p * r, width));
    }

    /** {@code n} standard normal draws. */
    static float[] gaussians(int n, SplittableRandom rng) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) gaussian(rng);
        }
        return out;
    }

    static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
