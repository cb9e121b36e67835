package io.worldgate.runtime.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.tensor.Scalars;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam, or AdamW with decoupled weight decay, over a fixed list of parameters, with optional
 * global-norm gradient clipping. One {@link #step()}:
 *
 * <pre>
 *   n = ||g||  (global norm over all parameters);  if n is NaN or infinite: skip, zero gradients
 *   g ← g · min(1, c / n)                                   (clipping, when c is set)
 *   g ← g + λ θ                                             (Adam's L2 weight decay, if λ > 0)
 *   m ← β1 m + (1 - β1) g          v ← β2 v + (1 - β2) g²
 *   m̂ = m / (1 - β1^t)             v̂ = v / (1 - β2^t)
 *   θ ← θ (1 - η λ)                                         (AdamW's decoupled decay, instead)
 *   θ ← θ - η m̂ / (sqrt(v̂) + ε)
 * </pre>
 *
 * then zeroes the gradients. {@code ε} is added to {@code sqrt(v̂)} as in PyTorch and optax (and so
 * DreamerV3: model {@code η = 1e-4, ε = 1e-8, c = 1000}; actor and critic {@code η = 3e-5,
 * ε = 1e-5, c = 100}). DJL's own {@code ai.djl.training.optimizer.Adam} adds {@code ε} to the
 * un-corrected {@code sqrt(v)}, which makes the effective epsilon {@code 1/sqrt(1 - β2^t)} times
 * larger early in training, and its {@code clipGrad} option only clamps each value from above
 * (PyTorch engine: {@code clamp_max}); hence this class.
 *
 * <p>With {@link Builder#decayMatricesOnly()} the weight decay (either kind) applies only to
 * parameters of two or more dimensions: vectors (biases, LayerNorm gains and shifts) keep
 * {@code λ = 0}, as the MAE's and timm's AdamW parameter groups do; at η 1e-3, λ 0.05 a LayerNorm
 * gain the gradient leaves alone would otherwise shrink by a fifth in 5,000 steps.
 *
 * <p>On engines with a fused Adam kernel (DJL's PyTorch engine) the update is one native call per
 * parameter, with the learning rate and epsilon rescaled so that the result is the formula above
 * exactly; elsewhere it falls back to ordinary NDArray operations.
 *
 * <p>The moments live in a child manager of the first parameter's manager and are freed by
 * {@link #close()}. Parameters are looked up on every step, so a checkpoint loaded into the same
 * block is picked up. Call {@link #step()} after the {@link GradientScope} is closed. Not
 * thread-safe.
 */
public final class Adam implements AutoCloseable {
    private final List<Parameter> params;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    /** Per parameter, whether the weight decay applies to it. */
    private final boolean[] decays;
    private final boolean decoupled;
    private final float clipNorm;
    private final NDManager stateManager;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private float learningRate;
    private long steps;
    private long skipped;
    private float lastNorm = Float.NaN;
    private boolean closed;
    private boolean portable;

    private Adam(List<Parameter> params, Builder b) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameters to optimise");
        }
        this.params = List.copyOf(params);
        this.learningRate = b.learningRate;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        this.decays = new boolean[this.params.size()];
        for (int i = 0; i < decays.length; i++) {
            decays[i] = !b.matricesOnly || this.params.get(i).getArray().getShape().dimension() >= 2;
        }
        this.decoupled = b.decoupled;
        this.clipNorm = b.clipNorm;
        this.stateManager = this.params.get(0).getArray().getManager().newSubManager();
        for (Parameter p : this.params) {
            NDArray w = p.getArray();
            means.add(stateManager.zeros(w.getShape(), w.getDataType(), w.getDevice()));
            variances.add(stateManager.zeros(w.getShape(), w.getDataType(), w.getDevice()));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of updates applied (skipped steps not counted); Adam's {@code t}. */
    public long steps() {
        return steps;
    }

    /** Steps skipped because the gradient norm was not finite. */
    public long skippedSteps() {
        return skipped;
    }

    /** Global gradient norm before clipping at the last {@link #step()} (NaN before the first). */
    public float lastGradientNorm() {
        return lastNorm;
    }

    public float learningRate() {
        return learningRate;
    }

    /** Changes the learning rate (for warm-up or decay schedules). */
    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** Whether the weight decay applies to {@code p}, one of {@link #parameters()} (false when {@code λ} is 0). */
    public boolean decays(Parameter p) {
        int i = params.indexOf(p);
        if (i < 0) {
            throw new IllegalArgumentException("'" + p.getName() + "' is not a parameter of this optimizer");
        }
        return weightDecay > 0 && decays[i];
    }

    /**
     * Clips, updates every parameter and zeroes the gradients.
     *
     * @return whether the update was applied (false when the gradient norm was not finite)
     */
    public boolean step() {
        checkOpen();
        if (GradientScope.isOpenOnThisThread()) {
            throw new IllegalStateException("close the GradientScope before optimizer.step()");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<NDArray> grads = GradientClipping.gradients(params);
            float norm = GradientClipping.globalNormOf(grads);
            lastNorm = norm;
            if (!Float.isFinite(norm)) {
                skipped++;
                for (NDArray g : grads) {
                    g.set(new NDIndex("..."), 0f);
                }
                return false;
            }
            float scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1f;
            steps++;
            double c1 = 1 - Math.pow(beta1, steps);
            double c2 = 1 - Math.pow(beta2, steps);
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                if (!portable) {
                    try {
                        fusedUpdate(w, grads.get(i), means.get(i), variances.get(i), decayOf(i), scale, c1, c2);
                        continue;
                    } catch (UnsupportedOperationException e) {
                        portable = true; // this engine has no fused Adam kernel
                    }
                }
                portableUpdate(w, grads.get(i), means.get(i), variances.get(i), decayOf(i), scale, c1, c2);
            }
            return true;
        }
    }

    /**
     * The engine's fused kernel (one native call per parameter; it also zeroes the gradient). It
     * computes {@code θ ← θ - η' m / (sqrt(v) + ε')} with the gradient multiplied by
     * {@code scale}; choosing {@code η' = η sqrt(1-β2^t) / (1-β1^t)} and
     * {@code ε' = ε sqrt(1-β2^t)} makes that exactly {@code η m̂ / (sqrt(v̂) + ε)}.
     */
    private void fusedUpdate(NDArray w, NDArray g, NDArray m, NDArray v, float decay, float scale, double c1,
            double c2) {
        double root = Math.sqrt(c2);
        w.getNDArrayInternal().adamUpdate(new NDList(w, g, m, v), new NDList(w), learningRate,
                (float) (learningRate * root / c1), decay, scale, -1f, beta1, beta2,
                (float) (epsilon * root), true, decoupled);
    }

    /** {@code λ} of parameter {@code i}: 0 for one exempt from the decay. */
    private float decayOf(int i) {
        return decays[i] ? weightDecay : 0f;
    }

    /** The same update with ordinary NDArray operations, for engines without the fused kernel. */
    private void portableUpdate(NDArray w, NDArray g, NDArray m, NDArray v, float decay, float scale, double c1,
            double c2) {
        NDArray grad = scale != 1f ? Scalars.mul(g, scale) : g;
        if (decay > 0 && !decoupled) {
            grad = grad.add(Scalars.mul(w, decay));
        }
        m.muli(beta1).addi(Scalars.mul(grad, 1 - beta1));
        v.muli(beta2).addi(grad.square().muli(1 - beta2));
        NDArray denom = Scalars.div(v, (float) c2).sqrt().addi(epsilon);
        NDArray update = m.div(denom).muli((float) (learningRate / c1));
        if (decay > 0 && decoupled) {
            w.muli(1 - learningRate * decay);
        }
        w.subi(update);
        g.set(new NDIndex("..."), 0f);
    }

    /** Use the portable update even where the engine has a fused one (for tests). */
    void usePortableUpdate() {
        portable = true;
    }

    /** Zeroes the gradients of all parameters (also NaN or infinite ones). */
    public void zeroGradients() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (NDArray g : GradientClipping.gradients(params)) {
                g.set(new NDIndex("..."), 0f);
            }
        }
    }

    /** Forgets the moments and the step count. */
    public void reset() {
        checkOpen();
        for (int i = 0; i < params.size(); i++) {
            means.get(i).muli(0f);
            variances.get(i).muli(0f);
        }
        steps = 0;
    }

    /** Writes the step count and the moments (for checkpoints). */
    public void saveState(DataOutputStream out) throws IOException {
        checkOpen();
        out.writeInt(1);
        out.writeLong(steps);
        out.writeInt(params.size());
        for (int i = 0; i < params.size(); i++) {
            out.write(means.get(i).encode());
            out.write(variances.get(i).encode());
        }
    }

    /**
     * Reads a state written by {@link #saveState}.
     *
     * @throws IncompatibleCheckpointException if it was written for other parameters
     */
    public void loadState(DataInputStream in) throws IOException, IncompatibleCheckpointException {
        checkOpen();
        int version = in.readInt();
        if (version != 1) {
            throw new IncompatibleCheckpointException("optimizer state has format version " + version + ", expected 1");
        }
        long t = in.readLong();
        int n = in.readInt();
        if (n != params.size()) {
            throw new IncompatibleCheckpointException("optimizer state holds " + n + " parameters, this optimizer has "
                    + params.size());
        }
        List<NDArray> m = new ArrayList<>(n);
        List<NDArray> v = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                m.add(stateManager.decode(in));
                v.add(stateManager.decode(in));
                Shape expected = means.get(i).getShape();
                if (!m.get(i).getShape().equals(expected) || !v.get(i).getShape().equals(expected)) {
                    throw new IncompatibleCheckpointException("optimizer moment " + i + " ('" + params.get(i).getName()
                            + "') has shape " + m.get(i).getShape() + ", the parameter " + expected);
                }
            }
        } catch (IncompatibleCheckpointException | IOException | RuntimeException e) {
            m.forEach(NDArray::close);
            v.forEach(NDArray::close);
            throw e;
        }
        for (int i = 0; i < n; i++) {
            means.get(i).close();
            variances.get(i).close();
            means.set(i, m.get(i));
            variances.set(i, v.get(i));
        }
        steps = t;
    }

    /** Frees the moments. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stateManager.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("optimizer is closed");
        }
    }

    /** Settings of an {@link Adam} optimizer. */
    public static final class Builder {
        private float learningRate = 1e-3f;
        private float beta1 = 0.9f;
        private float beta2 = 0.999f;
        private float epsilon = 1e-8f;
        private float weightDecay;
        private boolean decoupled;
        private float clipNorm;
        private boolean matricesOnly;

        private Builder() {}

        /**
         * Weight decay only on parameters of two or more dimensions (matrices, kernels, tokens
         * {@code [1, 1, D]}); vectors, {@code [n]} (biases, LayerNorm gains and shifts), are not
         * decayed, as timm's {@code add_weight_decay} that the MAE's pre-training uses.
         */
        public Builder decayMatricesOnly() {
            this.matricesOnly = true;
            return this;
        }

        /** {@code η} (default 1e-3). */
        public Builder learningRate(float lr) {
            if (!(lr >= 0)) {
                throw new IllegalArgumentException("learning rate must be >= 0");
            }
            this.learningRate = lr;
            return this;
        }

        /** {@code β1} (default 0.9). */
        public Builder beta1(float beta1) {
            this.beta1 = checkBeta(beta1);
            return this;
        }

        /** {@code β2} (default 0.999). */
        public Builder beta2(float beta2) {
            this.beta2 = checkBeta(beta2);
            return this;
        }

        /** {@code ε} (default 1e-8). */
        public Builder epsilon(float epsilon) {
            if (!(epsilon >= 0)) {
                throw new IllegalArgumentException("epsilon must be >= 0");
            }
            this.epsilon = epsilon;
            return this;
        }

        /** L2 weight decay {@code λ} added to the gradient (Adam). */
        public Builder weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            this.decoupled = false;
            return this;
        }

        /** Decoupled weight decay {@code λ}: {@code θ ← θ (1 - η λ)} each step (AdamW). */
        public Builder decoupledWeightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            this.decoupled = true;
            return this;
        }

        /** Clip the global gradient norm at {@code c} (default: no clipping). */
        public Builder clipGlobalNorm(float clip) {
            if (!(clip > 0)) {
                throw new IllegalArgumentException("clip norm must be positive");
            }
            this.clipNorm = clip;
            return this;
        }

        private static float checkBeta(float beta) {
            if (!(beta >= 0 && beta < 1)) {
                throw new IllegalArgumentException("beta must be in [0, 1), not " + beta);
            }
            return beta;
        }

        /** An optimizer over the trainable parameters of {@code blocks} (initialised). */
        public Adam build(Block... blocks) {
            return new Adam(Parameters.trainable(blocks), this);
        }

        /** An optimizer over {@code params} (initialised). */
        public Adam build(List<Parameter> params) {
            for (Parameter p : params) {
                if (!p.isInitialized()) {
                    throw new IllegalStateException("parameter '" + p.getName() + "' is not initialised");
                }
            }
            return new Adam(params, this);
        }
    }
}
