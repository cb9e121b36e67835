package io.worldgate.runtime.nn;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import java.util.List;

/**
 * How an agent binds an {@link ImageEncoder} service: the keys every agent that takes
 * {@code encoder=NAME} declares (Dreamer, TD-MPC2), declared here once.
 *
 * @param mode frozen, fine-tuned with the agent, or trained online beside it
 * @param lr learning rate of the encoder's own parameters (finetune, online)
 * @param batch frames of the agent's batch the online mode trains the encoder on per update
 */
public record EncoderSettings(EncoderMode mode, float lr, int batch) {

    /** The keys: {@code encoder_mode}, {@code encoder_lr}, {@code encoder_batch}. */
    public static List<ConfigKey> keys() {
        return List.of(
                ConfigKey.choice("encoder_mode", EncoderMode.FROZEN.key(),
                        List.of(EncoderMode.FROZEN.key(), EncoderMode.FINETUNE.key(), EncoderMode.ONLINE.key()),
                        "with an encoder service: frozen (only a layer on top trains), finetune (the agent's loss"
                                + " trains a copy of it) or online (its own loss trains a copy on the agent's frames)"),
                ConfigKey.decimal("encoder_lr", 1e-4, 0, 1,
                        "learning rate of the service encoder's copy (encoder_mode finetune or online)"),
                ConfigKey.integer("encoder_batch", 64, 1, 65536,
                        "frames of each batch the online mode trains the encoder on"));
    }

    /** The settings of a configuration that declares {@link #keys()}. */
    public static EncoderSettings of(AgentConfig config) {
        return new EncoderSettings(EncoderMode.of(config.getString("encoder_mode")), (float) config.getDouble("encoder_lr"),
                config.getInt("encoder_batch"));
    }

    /** The frozen mode with the keys' defaults. */
    public static EncoderSettings frozen() {
        return new EncoderSettings(EncoderMode.FROZEN, 1e-4f, 64);
    }
}
