package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.runtime.nn.EncoderSettings;
import io.worldgate.runtime.nn.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of the TD-MPC2 agent, read once from the resolved {@link AgentConfig}. The keys'
 * defaults are the paper's 5M model and hyperparameters (Hansen, Su and Wang, ICLR 2024,
 * appendix on hyperparameters); presets in {@code presets/*.properties} change some of them.
 *
 * @param obs the observation the encoder reads: {@code state}, {@code image}, or {@code auto}
 *     (state where the environment has it, else image; TD-MPC2 encodes one observation)
 * @param latentDim size of the latent {@code z} (a multiple of {@code simnormDim})
 * @param mlpDim width of the dynamics, reward, policy and Q networks (2 hidden layers each)
 * @param encDim width of the state encoder's hidden layers
 * @param encLayers layers of the state encoder (hidden layers: {@code max(encLayers - 1, 1)})
 * @param channels channels of the image encoder's convolutions
 * @param simnormDim group size of SimNorm
 * @param numQ Q heads in the ensemble
 * @param dropout dropout after the first layer of each Q head
 * @param bins two-hot bins of the reward and Q heads (symlog [-10, 10])
 * @param batchSize sequences per update
 * @param seedPretraining whether a fresh run's first training also takes one update per step already
 *     stored (the random seed steps), as TD-MPC2 does when seeding ends
 * @param horizon steps {@code H} of the latent rollout in training and of the plan
 * @param rho weight {@code ρ^t} of step {@code t} in every loss
 * @param lr learning rate of the model and the policy
 * @param encLrScale factor on the encoder's learning rate
 * @param gradClip global gradient-norm clip of the model and of the policy
 * @param tau EMA fraction of the target Q heads, and of the policy's Q scale
 * @param consistencyCoef weight of the joint-embedding consistency loss
 * @param rewardCoef weight of the reward loss
 * @param valueCoef weight of the value loss
 * @param entropyCoef weight of the policy's (action-dimension scaled) entropy bonus
 * @param logStdMin lower bound of the policy's log standard deviation
 * @param logStdMax upper bound of the policy's log standard deviation
 * @param discount {@code γ}; 0 for TD-MPC2's heuristic from the episode length
 * @param mpc plan with MPPI at act time (else act with the policy prior)
 * @param iterations MPPI iterations
 * @param numSamples MPPI action sequences per iteration
 * @param numElites MPPI elites
 * @param numPiTrajs MPPI sequences proposed by the policy prior
 * @param minStd MPPI's lower bound of the search standard deviation
 * @param maxStd MPPI's upper bound (and initial value) of the search standard deviation
 * @param temperature MPPI's temperature of the elite weights
 * @param encoderSettings the image encoder: {@code cnn} (built in) or an {@code ImageEncoder} service, and its mode
 * @param precision the number format of the networks' matrix products
 */
record TdMpc2Config(String obs, int latentDim, int mlpDim, int encDim, int encLayers, int channels, int simnormDim,
        int numQ, float dropout, int bins, int batchSize, boolean seedPretraining, int horizon, float rho, float lr, float encLrScale,
        float gradClip, float tau, float consistencyCoef, float rewardCoef, float valueCoef, float entropyCoef,
        float logStdMin, float logStdMax, float discount, boolean mpc, int iterations, int numSamples, int numElites,
        int numPiTrajs, float minStd, float maxStd, float temperature, EncoderSettings encoderSettings,
        Precision precision) {

    /** TD-MPC2's two-hot support, in symlog space. */
    static final float VMIN = -10f;
    static final float VMAX = 10f;

    /** The config keys, with the paper's 5M model as defaults. */
    static List<ConfigKey> keys() {
        List<ConfigKey> k = new ArrayList<>();
        k.add(ConfigKey.choice("obs", "auto", List.of("auto", "state", "image"),
                "observation to encode: auto (state where offered, else image), state or image"));
        k.add(ConfigKey.integer("latent_dim", 512, 8, 8192, "latent size (a multiple of simnorm_dim)"));
        k.add(ConfigKey.integer("mlp_dim", 512, 4, 8192, "width of the dynamics, reward, policy and Q networks"));
        k.add(ConfigKey.integer("enc_dim", 256, 4, 8192, "width of the state encoder"));
        k.add(ConfigKey.integer("num_enc_layers", 2, 1, 8, "layers of the state encoder"));
        k.add(ConfigKey.integer("num_channels", 32, 1, 256, "channels of the image encoder"));
        k.add(ConfigKey.integer("simnorm_dim", 8, 1, 256, "SimNorm group size"));
        k.add(ConfigKey.integer("num_q", 5, 2, 32, "Q heads in the ensemble"));
        k.add(ConfigKey.decimal("dropout", 0.01, 0, 0.9, "dropout after the first layer of each Q head"));
        k.add(ConfigKey.integer("num_bins", 101, 2, 4096, "two-hot bins of the reward and Q heads (symlog [-10, 10])"));
        k.add(ConfigKey.integer("batch_size", 256, 1, 8192, "sequences per update"));
        k.add(ConfigKey.bool("seed_pretraining", true, "a fresh run owes one update per step"
                + " stored at its first training (the prefill), as TD-MPC2 pretrains on its seed data, paid " + TdMpc2Agent.PRETRAINING_CHUNK + " per training"
                + " on top of what it asks; an agent that takes over a run's experience (a swap from another family) owes none"));
        k.add(ConfigKey.integer("horizon", 3, 1, 64, "steps of the latent rollout in training and of the plan"));
        k.add(ConfigKey.decimal("rho", 0.5, 0, 1, "weight rho^t of step t in the losses"));
        k.add(ConfigKey.decimal("lr", 3e-4, 0, 1, "learning rate of the model and the policy"));
        k.add(ConfigKey.decimal("enc_lr_scale", 0.3, 0, 10, "factor on the encoder's learning rate"));
        k.add(ConfigKey.decimal("grad_clip_norm", 20, 0.001, 1e9, "global gradient-norm clip"));
        k.add(ConfigKey.decimal("tau", 0.01, 0.0001, 1, "EMA fraction of the target Q heads and of the Q scale"));
        k.add(ConfigKey.decimal("consistency_coef", 20, 0, 1e6, "weight of the latent consistency loss"));
        k.add(ConfigKey.decimal("reward_coef", 0.1, 0, 1e6, "weight of the reward loss"));
        k.add(ConfigKey.decimal("value_coef", 0.1, 0, 1e6, "weight of the value loss"));
        k.add(ConfigKey.decimal("entropy_coef", 1e-4, 0, 10, "weight of the policy's scaled entropy bonus"));
        k.add(ConfigKey.decimal("log_std_min", -10, -20, 0, "lower bound of the policy's log std"));
        k.add(ConfigKey.decimal("log_std_max", 2, -5, 5, "upper bound of the policy's log std"));
        k.add(ConfigKey.decimal("discount", 0, 0, 1,
                "discount gamma; 0: TD-MPC2's heuristic from the episode length, clip((L/5 - 1)/(L/5), 0.95, 0.995)"));
        k.add(ConfigKey.bool("mpc", true, "plan with MPPI in the latent space at act time (false: the policy prior acts)"));
        k.add(ConfigKey.integer("iterations", 6, 1, 100, "MPPI iterations"));
        k.add(ConfigKey.integer("num_samples", 512, 2, 65536, "MPPI action sequences per iteration"));
        k.add(ConfigKey.integer("num_elites", 64, 1, 65536, "MPPI elites"));
        k.add(ConfigKey.integer("num_pi_trajs", 24, 0, 65536, "MPPI sequences proposed by the policy prior"));
        k.add(ConfigKey.decimal("min_std", 0.05, 0, 10, "MPPI lower bound of the search std"));
        k.add(ConfigKey.decimal("max_std", 2, 0.001, 10, "MPPI upper bound and initial value of the search std"));
        k.add(ConfigKey.decimal("temperature", 0.5, 0.0001, 1000, "MPPI temperature of the elite weights"));
        k.addAll(EncoderSettings.keys());
        k.add(Precision.configKey());
        return k;
    }

    static TdMpc2Config from(AgentConfig c) {
        TdMpc2Config config = new TdMpc2Config(c.getString("obs"), c.getInt("latent_dim"), c.getInt("mlp_dim"),
                c.getInt("enc_dim"), c.getInt("num_enc_layers"), c.getInt("num_channels"), c.getInt("simnorm_dim"),
                c.getInt("num_q"), f(c, "dropout"), c.getInt("num_bins"), c.getInt("batch_size"), c.getBoolean("seed_pretraining"), c.getInt("horizon"),
                f(c, "rho"), f(c, "lr"), f(c, "enc_lr_scale"), f(c, "grad_clip_norm"), f(c, "tau"),
                f(c, "consistency_coef"), f(c, "reward_coef"), f(c, "value_coef"), f(c, "entropy_coef"),
                f(c, "log_std_min"), f(c, "log_std_max"), f(c, "discount"), c.getBoolean("mpc"), c.getInt("iterations"),
                c.getInt("num_samples"), c.getInt("num_elites"), c.getInt("num_pi_trajs"), f(c, "min_std"),
                f(c, "max_std"), f(c, "temperature"), EncoderSettings.of(c), Precision.of(c));
        if (config.latentDim % config.simnormDim != 0) {
            throw new io.worldgate.api.agent.ConfigException("tdmpc2: latent_dim " + config.latentDim
                    + " is not a multiple of simnorm_dim " + config.simnormDim);
        }
        if (config.numElites > config.numSamples || config.numPiTrajs > config.numSamples) {
            throw new io.worldgate.api.agent.ConfigException("tdmpc2: num_elites (" + config.numElites
                    + ") and num_pi_trajs (" + config.numPiTrajs + ") must not exceed num_samples (" + config.numSamples + ")");
        }
        if (!(config.logStdMax > config.logStdMin)) {
            throw new io.worldgate.api.agent.ConfigException("tdmpc2: log_std_max must exceed log_std_min");
        }
        return config;
    }

    private static float f(AgentConfig c, String key) {
        return (float) c.getDouble(key);
    }

    /**
     * {@code γ}: the configured one, or TD-MPC2's heuristic for episodes of {@code episodeSteps}
     * agent steps, {@code clip((L/5 - 1) / (L/5), 0.95, 0.995)} (0.99 for DMC's 500 steps at action
     * repeat 2); 0.99 where the episode length is unknown.
     */
    float discountFor(int episodeSteps) {
        if (discount > 0) {
            return discount;
        }
        if (episodeSteps <= 0) {
            return 0.99f;
        }
        double frac = episodeSteps / 5.0;
        return (float) Math.min(Math.max((frac - 1) / frac, 0.95), 0.995);
    }

    /** The sizes a checkpoint must match. */
    String sizes() {
        return "latent_dim=" + latentDim + " mlp_dim=" + mlpDim + " enc_dim=" + encDim + " num_enc_layers=" + encLayers
                + " num_channels=" + channels + " num_q=" + numQ + " num_bins=" + bins;
    }
}
