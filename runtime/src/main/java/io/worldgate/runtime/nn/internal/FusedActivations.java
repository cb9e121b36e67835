package io.worldgate.runtime.nn.internal;

import ai.djl.ndarray.NDArray;

/**
 * libtorch's single-kernel SiLU, reached through a TorchScript module, for the large activations
 * where it pays.
 *
 * <p>Why: DJL 0.35's JNI has no SiLU, and {@code x * sigmoid(x)} is two operators forward, more
 * backward, and makes autograd keep {@code sigmoid(x)} beside {@code x}. libtorch's own kernel is
 * about 2 to 2.4 times faster forward and backward on a convolution's activations
 * ({@code [1024, 32, 32, 32]}, one thread) and keeps only {@code x}. A TorchScript module's
 * method runs it with autograd (DJL calls it with the thread's gradient mode); the module,
 * {@code activations.pt}, holds only the scripted call ({@link ScriptedModule}).
 *
 * <p>Where it does not apply, {@link #silu} returns {@code null} and the caller composes the
 * function: an engine other than PyTorch, a module that did not load, arrays smaller than
 * {@link #MIN_ELEMENTS} (the call's fixed cost, about 20 µs, is more than the kernel saves there),
 * a named array (DJL reads an input's name as a routing hint for TorchScript), or
 * {@code -Dworldgate.nn.fusedActivations=false}.
 *
 * <p>The module is loaded once per class loader and kept for the life of the JVM (a few KiB).
 */
public final class FusedActivations {
    /** System property that turns the fused path off ({@code false}); on by default. */
    public static final String PROPERTY = "worldgate.nn.fusedActivations";

    /** Arrays with fewer elements take the composed path. */
    public static final long MIN_ELEMENTS = 16_384;

    private FusedActivations() {}

    /** SiLU of {@code x} by libtorch's kernel, attached to {@code x}'s manager; null where not applicable. */
    public static NDArray silu(NDArray x) {
        if (x.size() < MIN_ELEMENTS || x.getName() != null) {
            return null;
        }
        ScriptedModule m = Module.INSTANCE;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return m.forward(x).singletonOrThrow();
    }

    /**
     * Mish of a bfloat16 {@code x} by libtorch's kernel ({@code mish.pt}), which computes in float32
     * inside and rounds once, where the composed form would round each of its seven steps to
     * bfloat16; null where not applicable (another engine, the module not loaded, a named array).
     */
    public static NDArray mishBf16(NDArray x) {
        if (x.getName() != null || MishModule.COMPOSED) {
            return null;
        }
        ScriptedModule m = MishModule.INSTANCE;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return m.forward(x).singletonOrThrow();
    }

    /** Whether the fused path is available here (PyTorch engine, module loaded, not turned off). */
    public static boolean available() {
        return Module.INSTANCE != null;
    }

    /**
     * System property: {@code composed} computes Mish of bfloat16 activations by the runtime's
     * composed form, each of its steps rounded to bfloat16 (up to 3 bfloat16 steps off, 1.2%, where
     * the kernel is within one rounding, 0.4%; on an AMD Zen 3 the composed form took 0.57 ms on
     * 512 x 384 against the kernel's 1.6 ms); {@code kernel}, the default, libtorch's kernel, as
     * under {@code torch.autocast}.
     */
    public static final String BF16_MISH_PROPERTY = "worldgate.nn.bf16Mish";

    /** The Mish module (not subject to {@link #PROPERTY}: bfloat16 activations need it); null where it cannot load. */
    private static final class MishModule {
        static final boolean COMPOSED = "composed".equalsIgnoreCase(System.getProperty(BF16_MISH_PROPERTY, "kernel"));
        static final ScriptedModule INSTANCE = ScriptedModule.load("mish.pt");
    }

    /** The loaded module; null when it cannot be used here. */
    private static final class Module {
        static final ScriptedModule INSTANCE = "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))
                ? null : ScriptedModule.load("activations.pt");
    }
}
