package io.worldgate.runtime.nn;

import ai.djl.Device;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number format of an agent's matrix products ({@code precision}), declared here once for every
 * agent. Parameters, their gradients, optimizer state and every other operator stay float32 in both;
 * {@link Autocast} applies it.
 */
public enum Precision {
    /** float32 products: the default. */
    FP32,
    /**
     * bfloat16 operands and results, widened back to float32 (everything else stays float32): several times
     * faster products on a CPU with AVX512-BF16 or AMX, at about 3 significant digits.
     */
    BF16;

    /**
     * System property that keeps bf16 on a CPU without native bfloat16 ({@code true}), where libtorch
     * emulates it, slower than float32: for testing the bf16 path on such a machine, not for speed.
     */
    public static final String EMULATE_PROPERTY = "worldgate.precision.emulateBf16";

    /** The configuration key. */
    public static final String KEY = "precision";

    private static final Logger LOG = LoggerFactory.getLogger(Precision.class);

    /** The value users write, {@code fp32} or {@code bf16}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The precision named {@code key} (case-insensitive). */
    public static Precision of(String key) {
        try {
            return valueOf(key.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + " must be fp32 or bf16, not '" + key + "'");
        }
    }

    /** The key's declaration, for an agent's list of keys. */
    public static ConfigKey configKey() {
        return ConfigKey.choice(KEY, FP32.key(), List.of(FP32.key(), BF16.key()),
                "number format of matrix products: fp32, or bf16 (bfloat16 products; on the CPU a hidden layer's"
                        + " activations stay bfloat16 as under torch.autocast, other results are widened to float32; float32"
                        + " parameters; several times faster on CPUs with AVX512-BF16 or AMX)");
    }

    /** The precision {@code config} asks for (its {@value #KEY} key). */
    public static Precision of(AgentConfig config) {
        return of(config.getString(KEY));
    }

    /**
     * This precision as it can run on {@code device}: bf16 falls back to fp32 (with a warning) where
     * its kernels are not reachable or the CPU would only emulate bfloat16.
     */
    public Precision on(Device device) {
        if (this == BF16) {
            boolean gpu = device != null && device.isGpu();
            if (!Bf16Kernels.available()) {
                LOG.warn("precision=bf16: the bfloat16 kernels are not reachable with this engine; using fp32");
                return FP32;
            }
            if (!gpu && !Bf16Kernels.fastOnThisCpu() && !Boolean.getBoolean(EMULATE_PROPERTY)) {
                LOG.warn("precision=bf16: this CPU has neither AVX512-BF16 nor AMX, where bfloat16 is slower than"
                        + " float32; using fp32");
                return FP32;
            }
        }
        return this;
    }
}
