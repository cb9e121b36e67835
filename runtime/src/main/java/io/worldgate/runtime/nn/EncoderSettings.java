package io.worldgate.runtime.nn;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.ConfigKey;
import java.util.List;

/**
 * Which image encoder an agent uses and how: the keys every agent that can take another plugin's
 * {@link ImageEncoder} declares (Dreamer, TD-MPC2), declared here once.
 *
 * @param encoder {@value #BUILT_IN} for the agent's own CNN, or the name of an encoder service
 * @param mode with a service: frozen, fine-tuned with the agent, or trained online beside it
 * @param lr learning rate of the encoder's own parameters (finetune, online)
 * @param batch frames of the agent's batch the online mode trains the encoder on per update
 * @param cacheFrames frozen: distinct frames whose features are kept, so a frame seen again is not
 *     encoded again (0: none)
 * @param features what the agent reads of the service per image: its mean vector, class token or
 *     every patch token
 * @param warmup online: updates of the encoder alone, on the agent's experience, before the agent's
 *     first update (0: none)
 */
public record EncoderSettings(String encoder, EncoderMode mode, float lr, int batch, int cacheFrames,
        EncoderFeatures features, int warmup) {
    /** The value of {@code encoder} that picks the agent's own convolutional encoder. */
    public static final String BUILT_IN = "cnn";
    /** The default of {@code encoder_cache_frames}. */
    public static final int DEFAULT_CACHE_FRAMES = 200_000;

    /** Settings with the default feature cache, as before {@code encoder_cache_frames} (runtime.nn 1.3). */
    public EncoderSettings(String encoder, EncoderMode mode, float lr, int batch) {
        this(encoder, mode, lr, batch, DEFAULT_CACHE_FRAMES);
    }

    /** Settings with the mean features, as before {@code encoder_features} (runtime.nn 1.7). */
    public EncoderSettings(String encoder, EncoderMode mode, float lr, int batch, int cacheFrames) {
        this(encoder, mode, lr, batch, cacheFrames, EncoderFeatures.MEAN);
    }

    /** Settings without a warm-up, as before {@code encoder_warmup} (runtime.nn 1.7). */
    public EncoderSettings(String encoder, EncoderMode mode, float lr, int batch, int cacheFrames,
            EncoderFeatures features) {
        this(encoder, mode, lr, batch, cacheFrames, features, 0);
    }

    /**
     * The keys: {@code encoder}, {@code encoder_mode}, {@code encoder_lr}, {@code encoder_batch},
     * {@code encoder_cache_frames}, {@code encoder_features}, {@code encoder_warmup}.
     */
    public static List<ConfigKey> keys() {
        return List.of(
                ConfigKey.string("encoder", BUILT_IN, "image encoder: " + BUILT_IN
                        + " (built in) or the name of an image-encoder service of another plugin (e.g. mae)"),
                ConfigKey.choice("encoder_mode", EncoderMode.FROZEN.key(),
                        List.of(EncoderMode.FROZEN.key(), EncoderMode.FINETUNE.key(), EncoderMode.ONLINE.key()),
                        "with an encoder service: frozen (only a layer on top trains), finetune (the agent's loss"
                                + " trains a copy of it) or online (its own loss trains a copy on the agent's frames)"),
                ConfigKey.decimal("encoder_lr", 1e-4, 0, 1,
                        "learning rate of the service encoder's copy (encoder_mode finetune or online)"),
                ConfigKey.integer("encoder_batch", 64, 1, 65536,
                        "frames of each batch the online mode trains the encoder on"),
                ConfigKey.integer("encoder_cache_frames", DEFAULT_CACHE_FRAMES, 0, 100_000_000,
                        "frozen mode: distinct frames whose features are kept (4 x feature size bytes each, at most "
                                + FrozenFeatureCache.MAX_BYTES / (1 << 20) + " MiB in all), so a frame replayed again is not"
                                + " encoded again; 0: encode every time"),
                ConfigKey.choice("encoder_features", EncoderFeatures.MEAN.key(),
                        List.of(EncoderFeatures.MEAN.key(), EncoderFeatures.CLS.key(), EncoderFeatures.TOKENS.key()),
                        "with an encoder service, what the agent reads per image: mean (of the patch tokens),"
                                + " cls (the class token) or tokens (every patch token, flattened in grid order: N x D"
                                + " features, 12,288 for the mae's small64)"),
                ConfigKey.integer("encoder_warmup", 0, 0, 100_000_000,
                        "encoder_mode online: updates of the encoder alone (its own loss on encoder_batch frames of a"
                                + " batch drawn as for the agent) before the agent's first update; Masked World Models"
                                + " takes 5000 on the prefill"));
    }

    /** The settings of a configuration that declares {@link #keys()}. */
    public static EncoderSettings of(AgentConfig config) {
        return new EncoderSettings(config.getString("encoder").trim(), EncoderMode.of(config.getString("encoder_mode")),
                (float) config.getDouble("encoder_lr"), config.getInt("encoder_batch"), config.getInt("encoder_cache_frames"),
                EncoderFeatures.of(config.getString("encoder_features")), config.getInt("encoder_warmup"));
    }

    /** Whether another plugin's encoder is named (not {@value #BUILT_IN}). */
    public boolean usesService() {
        return !encoder.equals(BUILT_IN);
    }

    /**
     * The named encoder service, bound for the agent's lifetime; null for {@value #BUILT_IN}.
     *
     * @throws io.worldgate.api.agent.ServiceUnavailableException while no plugin offers it (the
     *     host pauses the run until one does)
     */
    public ImageEncoder service(AgentContext context) {
        return usesService() ? context.requireService(ImageEncoder.class, encoder) : null;
    }
}
