package io.worldgate.runtime.nn;

import java.util.Locale;

/**
 * How an agent uses an {@link ImageEncoder} service that it binds ({@code encoder=NAME}), the
 * three settings issue 13 compares.
 */
public enum EncoderMode {
    /**
     * The service's encoder as it is, without gradient; only the agent's own layer on top of its
     * features trains (the frozen MAE plus a linear layer).
     */
    FROZEN,
    /**
     * An agent-owned copy of the encoder trained by the agent's loss: gradients flow into its
     * parameters, which an optimizer of their own (their own learning rate) steps with the agent's.
     */
    FINETUNE,
    /**
     * An agent-owned copy trained beside the agent on its batches by the encoder's own
     * self-supervised loss and optimizer (Masked World Models); the agent reads its current
     * features, detached.
     */
    ONLINE;

    /** The value users write, {@code frozen}, {@code finetune} or {@code online}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode named {@code key} (case-insensitive). */
    public static EncoderMode of(String key) {
        try {
            return valueOf(key.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encoder_mode must be frozen, finetune or online, not '" + key + "'");
        }
    }
}
