package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.dist.Bernoulli;
import io.worldgate.runtime.dist.Distribution;
import io.worldgate.runtime.dist.Independent;
import io.worldgate.runtime.dist.Normal;
import io.worldgate.runtime.dist.OneHotCategorical;
import io.worldgate.runtime.dist.SymexpTwoHot;
import io.worldgate.runtime.math.LambdaReturns;
import io.worldgate.runtime.math.ReturnNormalizer;
import io.worldgate.runtime.math.TwoHot;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.Initializers;
import io.worldgate.runtime.nn.Mlp;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.EmaTarget;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DreamerV3's actor and critic, learned from trajectories imagined by the world model. From each
 * start state {@code s_0} (every posterior state of a replayed batch) the actor
 * {@code a_t ~ π(a_t | s_t)} and the prior {@code s_{t+1} ~ p(s_{t+1} | s_t, a_t)} roll out
 * {@code H = 15} steps; the reward head gives {@code r_t}, the continue head the probability
 * {@code c_t} that the episode goes on (the start's own flag at {@code t = 0}), the critic
 * {@code v(s_t)}. Then
 *
 * <pre>
 *   R^λ_t = r_{t+1} + γ c_{t+1} ((1 - λ) v(s_{t+1}) + λ R^λ_{t+1}),    R^λ_H = v(s_H)      (γ = 0.997, λ = 0.95)
 *   S     = max(1, EMA(Per(R^λ, 95)) - EMA(Per(R^λ, 5)))                                  (decay 0.99)
 *   L(actor)  = -Σ_t w_t [ sg((R^λ_t - v(s_t)) / S) ln π(a_t | sg(s_t)) + η H[π(· | sg(s_t))] ]   (REINFORCE, discrete; continuous with actor_grad=reinforce)
 *             = -Σ_t w_t [ (R^λ_t - v(s_t)) / S + η H[π(· | sg(s_t))] ]                              (backprop, continuous)
 *   L(critic) = -Σ_t w_t [ ln p_ψ(sg(R^λ_t) | sg(s_t)) + ln p_ψ(sg(v_slow(s_t)) | sg(s_t)) ]
 *               + repval_scale L(replay)                                              ({@link ReplayValueLoss}; 0 by default)
 *   w_t = Π_{k<=t} γ c_k / γ                                                          (discounted continuation)
 * </pre>
 *
 * {@code η = 3e-4} is the entropy regulariser; {@code S} (percentile return normalisation) scales
 * down large returns only; {@code v_slow} is an EMA of the critic's parameters ({@code τ = 0.02})
 * whose predictions regularise the critic. For REINFORCE the rollout is computed without recording
 * gradients; with backprop the gradient of the returns flows through the rewards, values and
 * dynamics back into the sampled actions (the world model's parameters are not updated by it).
 * Critic and reward heads predict two-hot distributions (interpolated in symlog or, with
 * {@code twohot_space=real}, in real space); the critic's output layer starts
 * at zero. Discrete actors are categoricals with 1% unimix; continuous ones are Normals with mean
 * {@code tanh(μ)} and standard deviation {@code 0.9 σ(ρ + 2) + 0.1}; their samples are clipped to
 * [-1, 1] only where the dynamics take them ({@link #clipMagnitude}), REINFORCE scores the sample as
 * drawn.
 */
final class ActorCritic extends BlockGroup {
    private static final float MIN_STD = 0.1f;
    private static final float MAX_STD = 1.0f;

    /**
     * An imagined trajectory over {@code N} starts and {@code H + 1} states.
     *
     * @param features {@code [N, H+1, F]}
     * @param actions the action taken in each state {@code [N, H+1, A]}, as the actor drew it: continuous
     *     ones are not clipped here (REINFORCE scores {@code ln π} at the sample itself; only the copy the
     *     dynamics take is clipped, {@link #clipMagnitude})
     * @param rewards reward of arriving at states 1..H: {@code [N, H]}
     * @param continues continue flags {@code [N, H+1]} (the start's own at 0)
     * @param weights {@code w_t = Π_{k<=t} γ c_k / γ}, {@code [N, H+1]}, without gradient
     */
    record Trajectory(NDArray features, NDArray actions, NDArray rewards, NDArray continues, NDArray weights) {}

    /**
     * The replayed batch the start states came from, for the replay value loss: {@code [B, T]} each,
     * in the experience's alignment (see {@link ReplayValueLoss}).
     */
    record Replayed(NDArray rewards, NDArray isFirst, NDArray isTerminal, NDArray mask) {}

    private final DreamerConfig config;
    private final boolean discrete;
    private final int actionSize;
    private final boolean backprop;
    private final Mlp actor;
    private final Mlp critic;
    private final Mlp slowCritic;
    private final TwoHot bins;
    private final ReturnNormalizer returnNorm;
    private EmaTarget slow;
    private Adam actorOpt;
    private Adam criticOpt;

    ActorCritic(DreamerConfig config, Spaces spaces) {
        this.config = config;
        this.discrete = spaces.discrete();
        this.actionSize = spaces.actionSize();
        this.backprop = switch (config.actorGrad()) {
            case "reinforce" -> false;
            case "backprop" -> true;
            default -> !discrete;
        };
        this.bins = config.twoHot();
        int out = discrete ? actionSize : 2 * actionSize;
        this.actor = add("actor", Mlp.builder().units(config.units()).layers(config.layers()).outputs(out).build());
        this.critic = add("critic", criticNet());
        this.slowCritic = add("slow_critic", criticNet());
        this.returnNorm = new ReturnNormalizer(config.returnNormDecay(), 5f, 95f, 1f, false);
    }

    private Mlp criticNet() {
        return Mlp.builder().units(config.units()).layers(config.layers()).outputs(config.bins()).zeroInitOutput(true)
                .build();
    }

    void initialize(NDManager manager) {
        setInitializer(Initializers.glorotNormal(), Parameter.Type.WEIGHT);
        Shape feat = new Shape(1, config.featureSize());
        actor.initialize(manager, DataType.FLOAT32, feat);
        critic.initialize(manager, DataType.FLOAT32, feat);
        slowCritic.initialize(manager, DataType.FLOAT32, feat);
        Initializers.zero(Initializers.last(critic));
        // 0.01 (the default, as DreamerV3's later releases) starts the policy close to uniform in every state
        for (Parameter p : Initializers.last(actor).getParameters().values()) {
            p.getArray().muli(config.actorOutscale());
        }
        slow = EmaTarget.of(critic, slowCritic, config.slowCriticFraction(), 1);
        slow.copyNow();
        actorOpt = Adam.builder().learningRate(config.actorLr()).epsilon(config.actorEps())
                .clipGlobalNorm(config.actorClip()).build(actor);
        criticOpt = Adam.builder().learningRate(config.criticLr()).epsilon(config.criticEps())
                .clipGlobalNorm(config.criticClip()).build(critic);
    }

    Adam actorOptimizer() {
        return actorOpt;
    }

    Adam criticOptimizer() {
        return criticOpt;
    }

    ReturnNormalizer returnNormalizer() {
        return returnNorm;
    }

    boolean backprop() {
        return backprop;
    }

    /** {@code π(a | s)} for features {@code [.., F]}. */
    Distribution policy(ParameterStore ps, NDArray features) {
        return policy(actorOutput(ps, features));
    }

    private NDArray actorOutput(ParameterStore ps, NDArray features) {
        return actor.forward(ps, new NDList(features), true).singletonOrThrow();
    }

    private Distribution policy(NDArray out) {
        if (discrete) {
            return new OneHotCategorical(out, config.unimix());
        }
        NDList parts = out.split(2, out.getShape().dimension() - 1);
        NDArray mean = parts.get(0).tanh();
        NDArray std = Scalars.mul(Activation.sigmoid(parts.get(1).add(2f)), MAX_STD - MIN_STD).add(MIN_STD);
        return new Independent(new Normal(mean, std), 1);
    }

    /** The critic's {@code p_ψ(R | s)}. */
    SymexpTwoHot value(ParameterStore ps, NDArray features) {
        return new SymexpTwoHot(critic.forward(ps, new NDList(features), true).singletonOrThrow(), bins);
    }

    /** The slow critic's {@code p_ψ'(R | s)}. */
    SymexpTwoHot slowValue(ParameterStore ps, NDArray features) {
        return new SymexpTwoHot(slowCritic.forward(ps, new NDList(features), true).singletonOrThrow(), bins);
    }

    /**
     * An action of the actor for features {@code [N, F]}: a sample, or the mode. Discrete actions are
     * exact one-hots; continuous ones are clipped to [-1, 1].
     */
    NDArray act(ParameterStore ps, NDArray features, boolean sample) {
        NDArray out = actorOutput(ps, features);
        if (discrete) {
            return new OneHotCategorical(out, config.unimix()).oneHot(sample, false);
        }
        Distribution pi = policy(out);
        return (sample ? pi.sample() : pi.mode()).clip(-1f, 1f);
    }

    /**
     * Rolls the actor and the world model's prior forward {@code horizon} steps from {@code start}
     * ({@code [N]}), whose continue flags are {@code startCont [N]}. The actor sees {@code sg(s_t)}.
     */
    Trajectory imagine(ParameterStore ps, WorldModel wm, RssmState start, NDArray startCont, int horizon) {
        RssmState state = start;
        NDList feats = new NDList(horizon + 1);
        NDList actions = new NDList(horizon + 1);
        // what each step leaves behind, released once stacked (the graph keeps what backward reads)
        NDList steps = new NDList(5 * horizon + 1);
        for (int t = 0; t <= horizon; t++) {
            NDArray f = state.features();
            feats.add(f);
            NDArray frozen = f.stopGradient();
            steps.add(frozen);
            NDArray a = imaginedAction(ps, frozen);
            actions.add(a);
            if (t < horizon) {
                NDArray fed = discrete ? a : clipMagnitude(a);
                state = wm.rssm.imgStep(ps, state, fed, true, backprop);
                steps.addAll(new NDList(state.deter(), state.stoch(), state.logits()));
                if (fed != a) {
                    steps.add(fed);
                }
            }
        }
        NDArray features = NDArrays.stack(feats, 1);
        NDArray acts = NDArrays.stack(actions, 1);
        feats.close();
        actions.close();
        steps.close();
        NDArray rewards = wm.reward(ps, features.get(":, 1:")).mean();
        // by default the continuation probability, as in DreamerV3's current release (the first release
        // took the mode, which ignores termination risks below one half but keeps γ exact where none is)
        Bernoulli cont = wm.cont(ps, features.get(":, 1:"));
        NDArray predicted = config.imaginedContinue().equals("mode") ? cont.mode() : cont.probs();
        NDArray continues = NDArrays.concat(new NDList(startCont.expandDims(1), predicted), 1);
        float gamma = config.discount();
        NDArray weights = Scalars.div(Scalars.mul(continues.stopGradient(), gamma).cumProd(1), gamma);
        return new Trajectory(features, acts, rewards, continues.stopGradient(), weights);
    }

    private NDArray imaginedAction(ParameterStore ps, NDArray features) {
        NDArray out = actorOutput(ps, features);
        if (discrete) {
            // REINFORCE scores the log-probability of an exact one-hot; backprop needs straight-through
            NDArray a = OneHotCategorical.sampleOneHot(out, config.unimix(), true, backprop);
            out.close();
            return a;
        }
        // the sample as drawn (reparameterised: with backprop its gradient reaches μ and σ)
        return policy(out).sample();
    }

    /**
     * A continuous action as the dynamics take it, {@code a / sg(max(1, |a|))}: magnitudes clipped at 1,
     * the gradient passed on scaled by the same factor. As in DreamerV3, only this copy is clipped: a
     * score function at the clipped value would be biased (it pulls σ down and μ away from the bounds).
     */
    static NDArray clipMagnitude(NDArray a) {
        return a.div(Scalars.maximum(a.abs(), 1f).stopGradient());
    }

    /**
     * REINFORCE's actor loss {@code -Σ w_t [ln π(a_t) sg(adv_t) + η H_t] / count}, with {@code a_t} the
     * actions as the actor drew them ({@link Trajectory#actions()}), {@code H_t} the policy's entropy.
     */
    static NDArray reinforceLoss(Distribution pi, NDArray actions, NDArray advantage, NDArray entropy, NDArray weights,
            float eta, NDArray count) {
        NDArray logp = pi.logProb(actions);
        NDArray perStep = logp.mul(advantage.stopGradient()).add(Scalars.mul(entropy, eta)).neg();
        return perStep.mul(weights).sum().div(count);
    }

    /**
     * {@code ln p(x)} of the critic's two-hot distribution given its log-probabilities
     * {@code logp [.., n]} (no gradient to x).
     */
    private NDArray twoHotLogProb(NDArray logp, NDArray x) {
        return SymexpTwoHot.logProb(logp, bins.locateValue(x));
    }

    /**
     * One actor and one critic update from the start states {@code [N]} (detached posterior states
     * of the replayed batch {@code replay}, {@code N = B T}), their continue flags and validity mask
     * {@code [N]}. With {@code repval_scale > 0} the critic also fits the λ-returns along the replayed
     * sequences ({@link ReplayValueLoss}), bootstrapped from the imagined returns, with the slow-critic
     * regulariser too: DreamerV3's replay value loss. Returns metrics.
     */
    Map<String, Double> train(ParameterStore ps, WorldModel wm, RssmState start, NDArray startCont, NDArray startMask,
            Replayed replay, Timers timers) {
        int horizon = config.imagHorizon();
        float gamma = config.discount();
        Map<String, Double> metrics = new LinkedHashMap<>();
        NDArray count = Scalars.maximum(Scalars.mul(startMask.sum(), (float) horizon), 1f);
        NDManager parent = count.getManager();
        NDArray w;
        Trajectory traj;
        NDArray returns;
        NDArray actorLoss;
        NDArray entropy;
        NDArray valueMean;
        NDArray feats;
        NDArray target;
        NDArray actorStats;

        // imagination's activations are dead once the actor has stepped: in a scope of their own they
        // are freed before the critic's pass (what the critic reads is kept)
        try (UpdateScope phase = UpdateScope.open(parent)) {
            start.tempAttach(phase.manager());
            phase.borrow(startCont);
            phase.borrow(startMask);
            if (!backprop) {
                NDArray values;
                try (NoGradient off = NoGradient.open()) {
                    timers.start("imagine");
                    traj = imagine(ps, wm, start, startCont, horizon);
                    values = value(ps, traj.features()).mean();
                    returns = LambdaReturns.compute(traj.rewards(), traj.continues().get(":, 1:"), values, gamma,
                            config.lambda());
                    timers.stop("imagine");
                }
                valueMean = values.mean();
                returnNorm.update(returns, startMask);
                float scale = (float) returnNorm.scale();
                NDArray advantage = Scalars.div(returns.sub(values.get(":, :-1")), scale);
                w = traj.weights().get(":, :-1").mul(startMask.expandDims(1));
                timers.start("actor");
                try (GradientScope tape = GradientScope.open()) {
                    Distribution pi = policy(ps, traj.features().get(":, :-1"));
                    entropy = pi.entropy();
                    actorLoss = reinforceLoss(pi, traj.actions().get(":, :-1"), advantage, entropy, w,
                            config.actorEntropy(), count);
                    tape.backward(actorLoss);
                }
            } else {
                timers.start("imagine");
                // only the actor learns from this rollout: with the world model's and critic's parameters
                // frozen, autograd still carries the gradient through their activations to the actions but
                // skips their own weight gradients (about a third of the backward pass)
                List<Parameter> others = new ArrayList<>(wm.optimizer().parameters());
                others.addAll(criticOpt.parameters());
                others.forEach(p -> p.freeze(true));
                try (GradientScope tape = GradientScope.open()) {
                    traj = imagine(ps, wm, start, startCont, horizon);
                    NDArray values = value(ps, traj.features()).mean();
                    returns = LambdaReturns.compute(traj.rewards(), traj.continues().get(":, 1:"), values, gamma,
                            config.lambda());
                    returnNorm.update(returns, startMask);
                    float scale = (float) returnNorm.scale();
                    NDArray advantage = Scalars.div(returns.sub(values.get(":, :-1")), scale);
                    w = traj.weights().get(":, :-1").mul(startMask.expandDims(1));
                    valueMean = values.stopGradient().mean();
                    timers.stop("imagine");
                    timers.start("actor");
                    Distribution pi = policy(ps, traj.features().get(":, :-1").stopGradient());
                    entropy = pi.entropy();
                    NDArray perStep = advantage.add(Scalars.mul(entropy, config.actorEntropy())).neg();
                    actorLoss = perStep.mul(w).sum().div(count);
                    tape.backward(actorLoss);
                } finally {
                    others.forEach(p -> p.freeze(false));
                }
            }
            actorOpt.step();
            // the actor's loss reached the critic and (with backprop) the world model: not theirs to apply
            criticOpt.zeroGradients();
            wm.optimizer().zeroGradients();
            // read with the critic's in one transfer at the end: each read waits for the device
            actorStats = phase.keep(NDArrays.stack(new NDList(actorLoss, entropy.mean(), valueMean, returns.mean(),
                    traj.rewards().mean(), traj.weights().mean())).stopGradient(), parent);
            feats = phase.keep(traj.features().get(":, :-1").stopGradient(), parent);
            target = phase.keep(returns.stopGradient(), parent);
            w = phase.keep(w, parent);
        }
        timers.stop("actor");

        timers.start("critic");
        NDArray criticLoss;
        NDArray slowTarget;
        ReplayValueLoss.Targets replayed = null;
        NDArray replayFeats = null;
        NDArray replaySlow = null;
        NDArray repvalLoss = null;
        try (NoGradient off = NoGradient.open()) {
            slowTarget = slowValue(ps, feats).mean();
            if (config.repvalScale() > 0) {
                long b = replay.rewards().getShape().get(0);
                long t = replay.rewards().getShape().get(1);
                // b_t: the λ-return imagined from each replayed state
                NDArray boot = target.get(":, 0").reshape(b, t);
                replayed = ReplayValueLoss.targets(replay.rewards(), replay.isFirst(), replay.isTerminal(), replay.mask(),
                        boot, gamma, config.lambda());
                replayFeats = start.features().stopGradient().reshape(b, t, -1).get(":, :-1");
                replaySlow = slowValue(ps, replayFeats).mean();
            }
        }
        try (GradientScope tape = GradientScope.open()) {
            NDArray logits = critic.forward(ps, new NDList(feats), true).singletonOrThrow();
            NDArray logp = logits.logSoftmax(-1);
            // -ln p(sg(R^λ)) - β_slow ln p(sg(v_slow)), one log-softmax for both
            NDArray perStep = twoHotLogProb(logp, target)
                    .add(Scalars.mul(twoHotLogProb(logp, slowTarget), config.slowRegularizer())).neg();
            criticLoss = perStep.mul(w).sum().div(count);
            NDArray total = criticLoss;
            if (replayed != null) {
                NDArray replayLogp = critic.forward(ps, new NDList(replayFeats), true).singletonOrThrow().logSoftmax(-1);
                repvalLoss = ReplayValueLoss.loss(replayLogp, replayed, replaySlow, replay.mask(), bins,
                        config.slowRegularizer());
                total = total.add(Scalars.mul(repvalLoss, config.repvalScale()));
            }
            tape.backward(total);
        }
        criticOpt.step();
        slow.update();
        timers.stop("critic");

        NDList read = new NDList(actorStats, criticLoss.stopGradient().expandDims(0));
        if (repvalLoss != null) {
            NDArray weights = replayed.weights();
            read.add(NDArrays.stack(new NDList(repvalLoss.stopGradient(), replayed.returns().mul(weights).sum()
                    .div(Scalars.maximum(weights.sum(), 1f)))));
        }
        float[] s = NDArrays.concat(read).toFloatArray();
        metrics.put("actor/loss", (double) s[0]);
        metrics.put("actor/entropy", (double) s[1]);
        metrics.put("actor/grad_norm", (double) actorOpt.lastGradientNorm());
        metrics.put("critic/loss", (double) s[6]);
        metrics.put("critic/value_mean", (double) s[2]);
        metrics.put("critic/return_mean", (double) s[3]);
        metrics.put("critic/grad_norm", (double) criticOpt.lastGradientNorm());
        if (repvalLoss != null) {
            metrics.put("critic/repval_loss", (double) s[7]);
            metrics.put("critic/replay_return_mean", (double) s[8]);
        }
        metrics.put("imag/reward_mean", (double) s[4]);
        metrics.put("imag/weight_mean", (double) s[5]);
        metrics.put("return_norm/scale", returnNorm.scale());
        metrics.put("return_norm/low", returnNorm.low());
        metrics.put("return_norm/high", returnNorm.high());
        return metrics;
    }
}
