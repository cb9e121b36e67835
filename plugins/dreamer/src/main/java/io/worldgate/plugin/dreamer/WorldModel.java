package io.worldgate.plugin.dreamer;

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
import io.worldgate.runtime.dist.Bernoulli;
import io.worldgate.runtime.dist.Distribution;
import io.worldgate.runtime.dist.SymexpTwoHot;
import io.worldgate.runtime.dist.SymlogMse;
import io.worldgate.runtime.math.HarmoniousLoss;
import io.worldgate.runtime.math.KlLoss;
import io.worldgate.runtime.math.Symlog;
import io.worldgate.runtime.math.TwoHot;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.ConvDecoder;
import io.worldgate.runtime.nn.ConvEncoder;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.Initializers;
import io.worldgate.runtime.nn.Mlp;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.runtime.tensor.Scalars;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DreamerV3's world model: an encoder, the {@link Rssm}, and heads that predict from the model
 * state {@code s_t = (h_t, z_t)} the observation (decoder), the reward and whether the episode
 * continues. Trained on replayed sequences {@code (x_t, a_t, r_t, c_t)} by minimising, per step,
 *
 * <pre>
 *   L(θ) = β_pred L_pred + β_dyn L_dyn + β_rep L_rep                 (β_pred = 1, β_dyn = 0.5, β_rep = 0.1)
 *   L_pred = -ln p(x_t | s_t) - ln p(r_t | s_t) - ln p(c_t | s_t)
 *   L_dyn  = max(1, KL[sg(q(z_t | h_t, x_t)) || p(z_t | h_t)])       trains the prior towards the posterior
 *   L_rep  = max(1, KL[q(z_t | h_t, x_t) || sg(p(z_t | h_t))])       keeps the posterior predictable
 * </pre>
 *
 * where {@code sg} stops gradients and {@code max(1, ·)} gives one free nat. The terms of
 * {@code L_pred}: images {@code x} (pixels scaled to [-0.5, 0.5]) by a squared error summed over
 * pixels; vector observations by symlog-MSE, {@code ||f(s) - symlog(x)||²}; the reward by the
 * cross-entropy of a symexp two-hot distribution over 255 bins; the continue flag
 * {@code c_t = 1 - terminal_t} by a Bernoulli likelihood. Options: DreamerV2's KL balancing,
 * {@code β_kl (α KL[sg(q)||p] + (1-α) KL[q||sg(p)])}, and HarmonyDream's loss balancing, which
 * replaces the weights of the image, reward and KL terms by learnable {@code σ_i = exp(s_i)}, as its
 * official code does:
 *
 * <pre>
 *   L = L_image / σ_1 + ln(1 + σ_1) + L_reward / σ_2 + ln(1 + σ_2)
 *       + (w_dyn L_dyn + w_rep L_rep) / σ_3 + w_dyn ln(1 + σ_3) + L_state + L_cont
 *   w_dyn = β_dyn / (β_dyn + β_rep),  w_rep = β_rep / (β_dyn + β_rep)          (α and 1 - α with kl_balance)
 * </pre>
 *
 * <p>Padding steps of a batch ({@code mask = 0}) do not count in any term.
 */
final class WorldModel extends BlockGroup {

    /** What {@link #worldModelLoss} computes. */
    record Loss(NDArray total, Map<String, NDArray> terms, RssmState posterior) {}

    private final DreamerConfig config;
    private final Spaces spaces;
    private final BoundEncoder externalEncoder;
    private final Mlp stateEncoder;
    private final ConvEncoder imageEncoder;
    private final Linear externalProjection;
    final Rssm rssm;
    private final Mlp stateDecoder;
    private final ConvDecoder imageDecoder;
    private final Mlp rewardHead;
    private final Mlp contHead;
    private final HarmoniousLoss harmony;
    private final List<String> harmonyTerms = new ArrayList<>();
    private final TwoHot bins;
    private long embedSize;
    private Adam optimizer;

    WorldModel(DreamerConfig config, Spaces spaces, BoundEncoder externalEncoder) {
        this.config = config;
        this.spaces = spaces;
        this.externalEncoder = externalEncoder;
        this.bins = config.twoHot();
        boolean image = spaces.hasImage();
        boolean state = spaces.hasState();
        stateEncoder = state ? add("state_encoder", mlp(0, false)) : null;
        imageEncoder = image && externalEncoder == null ? add("image_encoder", ConvEncoder.dreamerV3(config.cnnDepth())) : null;
        externalProjection = image && externalEncoder != null
                ? add("image_projection", Heads.linear(config.units(), true))
                : null;
        rssm = add("rssm", new Rssm(config));
        stateDecoder = state ? add("state_decoder", mlp(spaces.stateSize(), false)) : null;
        imageDecoder = image ? add("image_decoder", new ConvDecoder(config.cnnDepth(), 4, spaces.imageHeight(),
                spaces.imageWidth(), spaces.imageChannels(), 1e-3f)) : null;
        rewardHead = add("reward", mlp(config.bins(), true));
        contHead = add("cont", mlp(1, false));
        // HarmonyDream's code balances these three; the state and continue losses keep weight 1
        if (image) {
            harmonyTerms.add("image");
        }
        harmonyTerms.addAll(List.of("reward", "kl"));
        float[] regularizers = new float[harmonyTerms.size()];
        Arrays.fill(regularizers, 1f);
        regularizers[regularizers.length - 1] = klWeights()[0];
        harmony = config.harmony() ? add("harmony", HarmoniousLoss.withRegularizerWeights(regularizers)) : null;
    }

    /**
     * The weights of {@code L_dyn} and {@code L_rep} in the KL term: {@code β_dyn} and {@code β_rep}
     * (DreamerV2's kl_balance: {@code α β_kl} and {@code (1 - α) β_kl}), divided by their sum under
     * HarmonyDream.
     */
    private float[] klWeights() {
        float dyn;
        float rep;
        if (config.klBalance() > 0) {
            dyn = config.klBalance() * config.klScale();
            rep = (1 - config.klBalance()) * config.klScale();
        } else {
            dyn = config.dynScale();
            rep = config.repScale();
        }
        if (config.harmony()) {
            float sum = dyn + rep;
            return sum > 0 ? new float[] {dyn / sum, rep / sum} : new float[] {0f, 0f};
        }
        return new float[] {dyn, rep};
    }

    private Mlp mlp(int outputs, boolean zeroHead) {
        Mlp.Builder b = Mlp.builder().units(config.units()).layers(config.layers());
        if (outputs > 0) {
            b.outputs(outputs).zeroInitOutput(zeroHead);
        }
        return b.build();
    }

    /** Creates the parameters (DreamerV3's initialisation, zero reward head) and the optimizer. */
    void initialize(NDManager manager) {
        setInitializer(Initializers.glorotNormal(), Parameter.Type.WEIGHT);
        embedSize = 0;
        if (stateEncoder != null) {
            stateEncoder.initialize(manager, DataType.FLOAT32, new Shape(1, spaces.stateSize()));
            embedSize += config.units();
        }
        if (imageEncoder != null) {
            imageEncoder.initialize(manager, DataType.FLOAT32,
                    new Shape(1, spaces.imageHeight(), spaces.imageWidth(), spaces.imageChannels()));
            embedSize += imageEncoder.features(spaces.imageHeight(), spaces.imageWidth());
        }
        if (externalProjection != null) {
            externalProjection.initialize(manager, DataType.FLOAT32, new Shape(1, externalEncoder.featureSize()));
            embedSize += config.units();
        }
        rssm.initialize(manager, embedSize, spaces.actionSize());
        Shape feat = new Shape(1, config.featureSize());
        for (Block head : new Block[] {stateDecoder, imageDecoder, rewardHead, contHead}) {
            if (head != null) {
                head.initialize(manager, DataType.FLOAT32, feat);
            }
        }
        Initializers.zero(Initializers.last(rewardHead));
        if (harmony != null) {
            harmony.initialize(manager);
        }
        optimizer = Adam.builder().learningRate(config.modelLr()).epsilon(config.modelEps())
                .clipGlobalNorm(config.modelClip()).build(this);
    }

    Adam optimizer() {
        return optimizer;
    }

    long embedSize() {
        return embedSize;
    }

    /** Names of the loss terms HarmonyDream balances, in the order of its scales. */
    List<String> harmonyTerms() {
        return harmonyTerms;
    }

    HarmoniousLoss harmony() {
        return harmony;
    }

    /**
     * The embedding {@code e = enc(x)} of observations {@code [.., ...]} (any leading axes): the
     * concatenation of an MLP over {@code symlog(state)} and the CNN (or the external encoder and a
     * trainable linear layer) over pixels.
     */
    NDArray encode(ParameterStore ps, Map<String, NDArray> obs) {
        return encode(ps, obs, null);
    }

    /**
     * {@link #encode(ParameterStore, Map)} with the pixels already scaled by {@link ConvEncoder#preprocess}
     * ({@code null}: scaled here and released after use); the caller keeps and closes {@code pixels}.
     */
    private NDArray encode(ParameterStore ps, Map<String, NDArray> obs, NDArray pixels) {
        NDList parts = new NDList(2);
        if (stateEncoder != null) {
            NDArray x = spaces.stateVector(obs.get(Spaces.STATE));
            parts.add(stateEncoder.forward(ps, new NDList(Symlog.symlog(x)), true).singletonOrThrow());
        }
        if (imageEncoder != null) {
            NDArray x = pixels != null ? pixels : ConvEncoder.preprocess(obs.get(Spaces.IMAGE));
            parts.add(imageEncoder.forward(ps, new NDList(x), true).singletonOrThrow());
            if (pixels == null) {
                // the graph keeps what it needs: released now, not when the update ends (see runtime.nn)
                x.close();
            }
        }
        if (externalProjection != null) {
            // with gradient into the encoder's own weights only when fine-tuned (encoder_mode)
            NDArray features = externalEncoder.features(ps, obs.get(Spaces.IMAGE));
            parts.add(externalProjection.forward(ps, new NDList(features), true).singletonOrThrow());
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
    }

    /** {@code p(r | s)}: a symexp two-hot distribution over the bins, for features {@code [.., F]}. */
    SymexpTwoHot reward(ParameterStore ps, NDArray features) {
        return new SymexpTwoHot(rewardHead.forward(ps, new NDList(features), true).singletonOrThrow(), bins);
    }

    /** {@code p(c | s)}: the Bernoulli continue predictor, batch shape {@code [..]}. */
    Bernoulli cont(ParameterStore ps, NDArray features) {
        return new Bernoulli(contHead.forward(ps, new NDList(features), true).singletonOrThrow().squeeze(-1));
    }

    /** The decoded image mean {@code [.., H, W, C]} in [-0.5, 0.5] (null without image observations). */
    NDArray decodeImage(ParameterStore ps, NDArray features) {
        return imageDecoder == null ? null : imageDecoder.forward(ps, new NDList(features), true).singletonOrThrow();
    }

    /** The decoded state observation {@code symexp(f(s))} {@code [.., D]} (null without state observations). */
    NDArray decodeState(ParameterStore ps, NDArray features) {
        if (stateDecoder == null) {
            return null;
        }
        return new SymlogMse(stateDecoder.forward(ps, new NDList(features), true).singletonOrThrow(), 1).mode();
    }

    /**
     * Previous actions {@code a_{t-1}} for each step: the batch's actions (chosen at each step)
     * shifted one step later, zero at the first step.
     */
    static NDArray previousActions(NDArray actions) {
        Shape s = actions.getShape();
        long steps = s.get(1);
        NDArray zero = actions.getManager().zeros(new Shape(s.get(0), 1).addAll(s.slice(2)));
        return NDArrays.concat(new NDList(zero, actions.get(":, :{}", steps - 1)), 1);
    }

    /**
     * The world-model loss of a batch of sequences.
     *
     * @param obs observations {@code [B, T, ...]} by name
     * @param actions actions in model form {@code [B, T, A]} (one-hot, or in [-1, 1])
     * @param rewards {@code [B, T]}
     * @param isFirst {@code [B, T]}
     * @param isTerminal {@code [B, T]}
     * @param mask {@code [B, T]}, 0 on padding
     */
    Loss worldModelLoss(ParameterStore ps, Map<String, NDArray> obs, NDArray actions, NDArray rewards, NDArray isFirst,
            NDArray isTerminal, NDArray mask) {
        // the scaled pixels are both the encoder's input and the decoder's target: scaled once (in float32
        // the first convolution keeps them for its backward pass anyway, so holding them costs no memory;
        // in bf16 it keeps its own bfloat16 copy and these are held until the decoder's loss)
        NDArray pixels = imageDecoder != null && imageEncoder != null ? ConvEncoder.preprocess(obs.get(Spaces.IMAGE))
                : null;
        NDArray embed = encode(ps, obs, pixels);
        Rssm.Observation seen = rssm.observe(ps, embed, previousActions(actions), isFirst, null);
        RssmState post = seen.posterior();
        NDArray feat = post.features();
        NDArray count = Scalars.maximum(mask.sum(), 1f);
        Map<String, NDArray> terms = new LinkedHashMap<>();
        if (imageDecoder != null) {
            NDArray predicted = decodeImage(ps, feat);
            NDArray target = pixels != null ? pixels : ConvEncoder.preprocess(obs.get(Spaces.IMAGE));
            NDArray error = predicted.sub(target);
            predicted.close();
            target.close();
            NDArray squared = error.square();
            error.close();
            NDArray perStep = squared.sum(new int[] {2, 3, 4});
            squared.close();
            terms.put("image", masked(perStep, mask, count));
        }
        if (stateDecoder != null) {
            NDArray predicted = stateDecoder.forward(ps, new NDList(feat), true).singletonOrThrow();
            NDArray perStep = new SymlogMse(predicted, 1).loss(spaces.stateVector(obs.get(Spaces.STATE)));
            terms.put("state", masked(perStep, mask, count));
        }
        terms.put("reward", masked(reward(ps, feat).loss(rewards), mask, count));
        NDArray cont = isTerminal.neg().add(1f);
        terms.put("cont", masked(cont(ps, feat).logProb(cont).neg(), mask, count));

        Distribution q = rssm.distribution(post.logits());
        Distribution p = rssm.distribution(seen.priorLogits());
        KlLoss.DynRep kl = KlLoss.dynRep(q, p, config.freeNats());
        terms.put("kl_dyn", masked(kl.dyn(), mask, count));
        terms.put("kl_rep", masked(kl.rep(), mask, count));
        NDArray total = total(ps, terms);
        terms.put("model", total);
        return new Loss(total, terms, post);
    }

    /**
     * The world-model loss from its terms' batch means: {@code image} and {@code state} (where
     * observed), {@code reward}, {@code cont}, {@code kl_dyn} and {@code kl_rep}. Each at weight 1 but
     * the KL's, or image, reward and KL balanced by HarmonyDream ({@code loss_balance=harmony}).
     */
    NDArray total(ParameterStore ps, Map<String, NDArray> terms) {
        // one KL term, β_dyn KL[sg(q)||p] + β_rep KL[q||sg(p)] (klWeights)
        float[] w = klWeights();
        NDArray klTerm = Scalars.mul(terms.get("kl_dyn"), w[0]).add(Scalars.mul(terms.get("kl_rep"), w[1]));
        NDArray total = klTerm;
        if (harmony != null) {
            NDList list = new NDList(harmonyTerms.size());
            for (String name : harmonyTerms) {
                list.add(name.equals("kl") ? klTerm : terms.get(name));
            }
            total = harmony.combine(ps, list);
        }
        for (String name : List.of("image", "state", "reward", "cont")) {
            if (terms.containsKey(name) && (harmony == null || !harmonyTerms.contains(name))) {
                total = total.add(terms.get(name));
            }
        }
        return total;
    }

    private static NDArray masked(NDArray perStep, NDArray mask, NDArray count) {
        return perStep.mul(mask).sum().div(count);
    }

    /**
     * Open-loop video prediction for the first {@code rows} sequences: the posterior over the first
     * {@code context} steps, then the prior rolled forward with the replayed actions. Returns
     * {@code (truth, model)}, both {@code [rows, T, H, W, C]} floats in [0, 1].
     */
    NDList openLoop(ParameterStore ps, Map<String, NDArray> obs, NDArray actions, NDArray isFirst, int rows, int context) {
        NDArray images = obs.get(Spaces.IMAGE).get(":{}", rows);
        Map<String, NDArray> head = new LinkedHashMap<>();
        obs.forEach((k, v) -> head.put(k, v.get(":{}, :{}", rows, context)));
        NDArray acts = actions.get(":{}", rows);
        NDArray embed = encode(ps, head);
        Rssm.Observation seen = rssm.observe(ps, embed, previousActions(acts).get(":, :{}", context),
                isFirst.get(":{}, :{}", rows, context), null);
        RssmState post = seen.posterior();
        NDArray recon = decodeImage(ps, post.features());
        long steps = images.getShape().get(1);
        NDArray model = recon;
        if (steps > context) {
            RssmState last = new RssmState(post.deter().get(":, {}", context - 1), post.stoch().get(":, {}", context - 1), null);
            // the action taken in the last context state leads to the first predicted one
            RssmState imagined = rssm.imagine(ps, acts.get(":, {}:{}", context - 1, steps - 1), last, true);
            model = NDArrays.concat(new NDList(recon, decodeImage(ps, imagined.features())), 1);
        }
        NDArray truth = Scalars.div(images.toType(DataType.FLOAT32, false), 255f);
        return new NDList(truth, model.add(0.5f).clip(0f, 1f));
    }
}
