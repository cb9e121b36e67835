package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.runtime.math.SymexpBins;
import io.worldgate.runtime.math.TwoHot;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.plan.CemSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every setting of the Dreamer agent, read once from the resolved {@link AgentConfig}. The keys'
 * defaults are DreamerV3's "small" model with the published hyperparameters (Hafner et al. 2023,
 * table of hyperparameters; the initial release's {@code configs.yaml}); presets in
 * {@code presets/*.properties} change some of them.
 *
 * @param deter size of the RSSM's deterministic (GRU) state {@code h}
 * @param hidden width of the RSSM's input and output layers
 * @param stoch number of categorical latents in the stochastic state {@code z}
 * @param classes classes per categorical latent
 * @param units width of every MLP (encoder, decoder, heads, actor, critic)
 * @param layers hidden layers of every MLP
 * @param cnnDepth channels of the first CNN stage (doubled at each of 4 stages)
 * @param batchSize sequences per update {@code B}
 * @param batchLength steps per sequence {@code T}
 * @param imagHorizon imagination horizon {@code H}
 * @param obsKeys observation keys the model encodes and decodes; empty for all of image and state
 * @param unimix uniform mixture of latent and discrete-action categoricals
 * @param freeNats free bits of the KL terms
 * @param dynScale weight of the dynamics loss {@code L_dyn}
 * @param repScale weight of the representation loss {@code L_rep}
 * @param klBalance DreamerV2's KL balance α; 0 for DreamerV3's separate dyn/rep terms
 * @param klScale weight of the balanced KL term (only with {@code klBalance > 0})
 * @param lossBalance {@code none} or {@code harmony} (HarmonyDream)
 * @param modelLr world-model learning rate
 * @param modelEps world-model Adam epsilon
 * @param modelClip world-model global gradient-norm clip
 * @param actorLr actor learning rate
 * @param actorEps actor Adam epsilon
 * @param actorClip actor gradient-norm clip
 * @param criticLr critic learning rate
 * @param criticEps critic Adam epsilon
 * @param criticClip critic gradient-norm clip
 * @param discount {@code γ}
 * @param lambda {@code λ} of the λ-returns
 * @param actorEntropy entropy regulariser {@code η}
 * @param slowCriticFraction EMA fraction {@code τ} of the slow critic
 * @param slowRegularizer weight of the slow-critic regulariser in the critic loss
 * @param returnNormDecay decay of the return percentiles' moving averages
 * @param bins two-hot bins of the reward and critic heads
 * @param twohotSpace {@code symlog} (the bins' two-hot code and mean interpolated in symlog space, the
 *     first release) or {@code real} (in real space, the later releases)
 * @param repvalScale weight of the replay value loss (0: none, the first release)
 * @param actorGrad {@code auto} (REINFORCE for discrete, backprop for continuous), {@code reinforce} or {@code backprop}
 * @param actorEvalSample sample the actor in EVAL mode too (DreamerV3's Atari 100k setting)
 * @param videoEvery updates between open-loop video predictions (0: never)
 * @param learnedInitial a learned initial deterministic state instead of zeros
 * @param actorOutscale factor on the actor's output layer at initialisation
 * @param imaginedContinue {@code probs} or {@code mode} of the continue head as the discount mask in imagination
 * @param planner {@code actor} (act with the actor) or {@code cem} (plan with PlaNet's CEM over the
 *     world model at act time; continuous actions only)
 * @param cem the CEM's settings (used with {@code planner=cem})
 * @param precision the number format of the networks' matrix products
 */
record DreamerConfig(int deter, int hidden, int stoch, int classes, int units, int layers, int cnnDepth,
        int batchSize, int batchLength, int imagHorizon, List<String> obsKeys,
        float unimix, float freeNats, float dynScale, float repScale, float klBalance, float klScale,
        String lossBalance, float modelLr, float modelEps, float modelClip, float actorLr, float actorEps,
        float actorClip, float criticLr, float criticEps, float criticClip, float discount, float lambda,
        float actorEntropy, float slowCriticFraction, float slowRegularizer, float returnNormDecay, int bins,
        String twohotSpace, float repvalScale, String actorGrad, boolean actorEvalSample, int videoEvery,
        boolean learnedInitial, float actorOutscale, String imaginedContinue, String planner, CemSettings cem,
        io.worldgate.runtime.nn.Precision precision) {

    /**
     * What {@code recipe=2024} sets (resource {@code recipes/2024.properties}): DreamerV3's current
     * recipe where it differs from the first release, which the keys' defaults follow.
     */
    static final Map<String, Map<String, String>> RECIPES = ConfigPresets.load(DreamerConfig.class, "recipes", "2024");

    /** The config keys, with DreamerV3's values as defaults. */
    static List<ConfigKey> keys() {
        List<ConfigKey> k = new ArrayList<>();
        k.add(ConfigKey.choice("recipe", "2023", List.of("2023", "2024"),
                "DreamerV3's training recipe: 2023 (first release, the keys' defaults) or 2024 (current code), which sets "
                        + RECIPES.get("2024").entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(", "))
                        + " unless a preset or --set does; on dmc add --env-option action_repeat=1")
                .implying(RECIPES));
        k.add(ConfigKey.integer("deter", 512, 4, 16384, "RSSM deterministic state size (GRU units)"));
        k.add(ConfigKey.integer("hidden", 512, 4, 8192, "RSSM hidden layer width"));
        k.add(ConfigKey.integer("stoch", 32, 1, 256, "number of categorical latents"));
        k.add(ConfigKey.integer("classes", 32, 2, 256, "classes per categorical latent"));
        k.add(ConfigKey.integer("units", 512, 4, 8192, "MLP width (encoder, decoder, heads, actor, critic)"));
        k.add(ConfigKey.integer("layers", 2, 1, 8, "MLP hidden layers"));
        k.add(ConfigKey.integer("cnn_depth", 32, 1, 256, "channels of the first of 4 CNN stages"));
        k.add(ConfigKey.integer("batch_size", 16, 1, 1024, "sequences per update"));
        k.add(ConfigKey.integer("batch_length", 64, 2, 1024, "steps per sequence"));
        k.add(ConfigKey.integer("imag_horizon", 15, 1, 128, "imagination horizon"));
        k.add(ConfigKey.string("obs_keys", "auto",
                "observations to model: auto (image and state, where present), image, state or image,state"));
        k.add(ConfigKey.decimal("unimix", 0.01, 0, 0.99, "uniform mixture of categoricals (latents, discrete actions)"));
        k.add(ConfigKey.decimal("free_nats", 1.0, 0, 100, "free bits of the KL terms"));
        k.add(ConfigKey.decimal("dyn_scale", 0.5, 0, 100, "weight of the dynamics loss KL(sg(q) || p)"));
        k.add(ConfigKey.decimal("rep_scale", 0.1, 0, 100, "weight of the representation loss KL(q || sg(p))"));
        k.add(ConfigKey.decimal("kl_balance", 0.0, 0, 1,
                "DreamerV2 KL balancing alpha (0.8 in V2) instead of dyn/rep; 0 keeps DreamerV3's terms"));
        k.add(ConfigKey.decimal("kl_scale", 1.0, 0, 100, "weight of the balanced KL (with kl_balance > 0)"));
        k.add(ConfigKey.choice("loss_balance", "none", List.of("none", "harmony"),
                "world-model loss weighting: fixed, or HarmonyDream's learnable L_i/sigma_i + log(1 + sigma_i) for image, reward and KL"));
        k.add(ConfigKey.decimal("model_lr", 1e-4, 0, 1, "world-model learning rate"));
        k.add(ConfigKey.decimal("model_eps", 1e-8, 0, 1, "world-model Adam epsilon"));
        k.add(ConfigKey.decimal("model_clip", 1000, 0.001, 1e9, "world-model gradient global-norm clip"));
        k.add(ConfigKey.decimal("actor_lr", 3e-5, 0, 1, "actor learning rate"));
        k.add(ConfigKey.decimal("actor_eps", 1e-5, 0, 1, "actor Adam epsilon"));
        k.add(ConfigKey.decimal("actor_clip", 100, 0.001, 1e9, "actor gradient global-norm clip"));
        k.add(ConfigKey.decimal("critic_lr", 3e-5, 0, 1, "critic learning rate"));
        k.add(ConfigKey.decimal("critic_eps", 1e-5, 0, 1, "critic Adam epsilon"));
        k.add(ConfigKey.decimal("critic_clip", 100, 0.001, 1e9, "critic gradient global-norm clip"));
        k.add(ConfigKey.decimal("discount", 0.997, 0, 1, "discount gamma (1 - 1/333)"));
        k.add(ConfigKey.decimal("lambda", 0.95, 0, 1, "lambda of the lambda-returns"));
        k.add(ConfigKey.decimal("actor_entropy", 3e-4, 0, 10, "actor entropy regulariser eta"));
        k.add(ConfigKey.decimal("slow_critic_fraction", 0.02, 0.0001, 1, "EMA fraction of the slow critic"));
        k.add(ConfigKey.decimal("slow_regularizer", 1.0, 0, 100, "weight of the slow-critic regulariser"));
        k.add(ConfigKey.decimal("return_norm_decay", 0.99, 0, 0.99999, "decay of the return percentile averages"));
        k.add(ConfigKey.integer("bins", 255, 2, 4096,
                "two-hot bins of the reward and critic heads, at symexp of evenly spaced points on [-20, 20]"));
        k.add(ConfigKey.choice("twohot_space", "symlog", List.of("symlog", "real"),
                "where the two-hot code and the mean of reward and critic interpolate between bins: symlog (first release) or real"));
        k.add(ConfigKey.decimal("repval_scale", 0, 0, 100,
                "weight of the replay value loss: the critic also fits lambda-returns along replayed sequences (0: off)"));
        k.add(ConfigKey.choice("actor_grad", "auto", List.of("auto", "reinforce", "backprop"),
                "actor gradient: auto is REINFORCE for discrete, backprop through the model for continuous actions"));
        k.add(ConfigKey.bool("actor_eval_sample", false, "sample the actor in evaluation too (DreamerV3's Atari 100k)"));
        k.add(ConfigKey.integer("video_every", 2500, 0, Integer.MAX_VALUE,
                "updates between open-loop video predictions for image observations (0: never)"));
        k.add(ConfigKey.bool("learned_initial", true, "learned initial RSSM state (DreamerV3) instead of zeros"));
        k.add(ConfigKey.decimal("actor_outscale", 0.01, 0, 10,
                "factor on the actor's output layer at initialisation: 0.01 as DreamerV3's later releases, 1 as its first"));
        k.add(ConfigKey.choice("imagined_continue", "probs", List.of("probs", "mode"),
                "discount mask in imagination: the continue head's probability (later releases) or its mode (first release)"));
        CemSettings planet = CemSettings.published();
        k.add(ConfigKey.choice("planner", "actor", List.of("actor", "cem"),
                "how to act: the actor, or PlaNet's CEM planning over the world model (continuous actions only)"));
        k.add(ConfigKey.integer("plan_horizon", planet.horizon(), 1, 256, "CEM planning horizon (planner=cem)"));
        k.add(ConfigKey.integer("plan_iterations", planet.iterations(), 1, 1000, "CEM iterations per action (planner=cem)"));
        k.add(ConfigKey.integer("plan_candidates", planet.candidates(), 1, 1_000_000,
                "CEM candidate sequences per iteration (planner=cem)"));
        k.add(ConfigKey.integer("plan_top_k", planet.topK(), 1, 1_000_000,
                "CEM candidates the search distribution is refit to (planner=cem; at most plan_candidates)"));
        // encoder, encoder_mode, encoder_lr, encoder_batch: declared once for every agent (the factory reads them)
        k.addAll(io.worldgate.runtime.nn.EncoderSettings.keys());
        k.add(io.worldgate.runtime.nn.Precision.configKey());
        return k;
    }

    static DreamerConfig from(AgentConfig c) {
        String keys = c.getString("obs_keys").trim().toLowerCase(Locale.ROOT);
        List<String> obsKeys = keys.equals("auto") || keys.isEmpty() ? List.of()
                : Arrays.stream(keys.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String key : obsKeys) {
            if (!key.equals("image") && !key.equals("state")) {
                throw new io.worldgate.api.agent.ConfigException("dreamer obs_keys: '" + key
                        + "' is not image or state");
            }
        }
        return new DreamerConfig(c.getInt("deter"), c.getInt("hidden"), c.getInt("stoch"), c.getInt("classes"),
                c.getInt("units"), c.getInt("layers"), c.getInt("cnn_depth"), c.getInt("batch_size"),
                c.getInt("batch_length"), c.getInt("imag_horizon"), obsKeys,
                f(c, "unimix"), f(c, "free_nats"), f(c, "dyn_scale"), f(c, "rep_scale"), f(c, "kl_balance"),
                f(c, "kl_scale"), c.getString("loss_balance"), f(c, "model_lr"), f(c, "model_eps"),
                f(c, "model_clip"), f(c, "actor_lr"), f(c, "actor_eps"), f(c, "actor_clip"), f(c, "critic_lr"),
                f(c, "critic_eps"), f(c, "critic_clip"), f(c, "discount"), f(c, "lambda"), f(c, "actor_entropy"),
                f(c, "slow_critic_fraction"), f(c, "slow_regularizer"), f(c, "return_norm_decay"), c.getInt("bins"),
                c.getString("twohot_space"), f(c, "repval_scale"), c.getString("actor_grad"),
                c.getBoolean("actor_eval_sample"), c.getInt("video_every"), c.getBoolean("learned_initial"), f(c, "actor_outscale"), c.getString("imagined_continue"),
                c.getString("planner"), cem(c), io.worldgate.runtime.nn.Precision.of(c));
    }

    private static CemSettings cem(AgentConfig c) {
        int candidates = c.getInt("plan_candidates");
        int topK = c.getInt("plan_top_k");
        if (topK > candidates) {
            throw new io.worldgate.api.agent.ConfigException("dreamer plan_top_k (" + topK
                    + ") must not exceed plan_candidates (" + candidates + ")");
        }
        CemSettings planet = CemSettings.published();
        return new CemSettings(c.getInt("plan_horizon"), c.getInt("plan_iterations"), candidates, topK, planet.initStd(),
                planet.minStd(), planet.exploreNoise());
    }

    private static float f(AgentConfig c, String key) {
        return (float) c.getDouble(key);
    }

    /** Size of the model state {@code [h, z]} that heads, actor and critic read. */
    int featureSize() {
        return deter + stoch * classes;
    }

    boolean plans() {
        return planner.equals("cem");
    }

    boolean harmony() {
        return lossBalance.equals("harmony");
    }

    /** The reward and critic heads' two-hot code over {@code bins} bins reaching {@code ±symexp(20)}. */
    TwoHot twoHot() {
        return twohotSpace.equals("real") ? new SymexpBins(bins, 20f) : new TwoHotBins(bins, -20f, 20f);
    }
}
