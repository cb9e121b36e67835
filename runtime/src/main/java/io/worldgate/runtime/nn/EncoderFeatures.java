package io.worldgate.runtime.nn;

import java.util.Locale;

/**
 * What a bound agent reads of an {@link ImageEncoder} service per image ({@code encoder_features}):
 * the pooled vector it gives by default, or, from a vision transformer, its class token or every
 * patch token. Pooling all tokens into one vector of the token width is a strong spatial
 * bottleneck for control, where object positions matter; the tokens keep them, at {@code N} times
 * the features.
 */
public enum EncoderFeatures {
    /** The encoder's own vector ({@link ImageEncoder#featureSize()}); for an MAE, the mean of the patch tokens. */
    MEAN,
    /** A transformer's class token, {@code [D]} (the MAE paper's linear probe reads it). */
    CLS,
    /** Every patch token, flattened in grid (row-major) order, {@code [N * D]}. */
    TOKENS;

    /** The value users write: {@code mean}, {@code cls} or {@code tokens}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code key} (case-insensitive). */
    public static EncoderFeatures of(String key) {
        try {
            return valueOf(key.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encoder_features must be mean, cls or tokens, not '" + key + "'");
        }
    }
}
