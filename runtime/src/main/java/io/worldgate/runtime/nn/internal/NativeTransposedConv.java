package io.worldgate.runtime.nn.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * libtorch's own transposed convolution ({@code conv_transpose2d}), reached through a TorchScript
 * module ({@code conv_transpose2d.pt}, {@link ScriptedModule}) because DJL 0.35's JNI has none.
 *
 * <p>Why: without it, {@code runtime.nn.TransposedConv2d} computes each of the {@code s²} output
 * phases as its own stride-1 convolution and interleaves them with stacking copies. On this
 * project's CPU (one thread) libtorch's oneDNN kernel does the same layer, forward and backward,
 * in about half the CPU time (Dreamer's decoder layers at {@code dmc_vision} and at the debug size
 * on pixels; {@code bench/results/dreamer.md}), with no interleaving copies and no zero-filled
 * gradients of the phases' windows.
 *
 * <p>The module takes the block's own kernel, that of the definition (a stride-1 convolution of the
 * zero-dilated input), and flips and transposes it into {@code conv_transpose2d}'s layout itself, so
 * parameters, outputs and checkpoints are unchanged. It makes the input channels-last (a copy only
 * where it is not), so that the output is channels-last, the layout the channel layer norm after it
 * reads without a copy. With {@code bf16} the operands are cast to bfloat16 and the result back to
 * float32, as {@link Bf16Kernels}.
 *
 * <p>Off with {@code -Dworldgate.nn.nativeTransposedConv=false} (then {@link #apply} returns null and
 * the caller computes by phases), and where the module cannot be used.
 */
public final class NativeTransposedConv {
    /** System property that turns the native path off ({@code false}); on by default. */
    public static final String PROPERTY = "worldgate.nn.nativeTransposedConv";

    private NativeTransposedConv() {}

    /**
     * The transposed convolution of NCHW {@code x} with the definition's kernel {@code w [out, in, k, k]},
     * bias {@code b [out]} (or null), square stride and padding; null where the native path does not apply.
     */
    public static NDArray apply(NDArray x, NDArray w, NDArray b, int stride, int padding, boolean bf16) {
        ScriptedModule m = Module.INSTANCE;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        // the module reads the geometry as numbers: kept on the host
        try (NDManager temporaries = x.getManager().newSubManager(Device.cpu())) {
            NDArray bias = b != null ? b : temporaries.zeros(new Shape(1), w.getDataType(), w.getDevice());
            NDArray geometry = temporaries.create(new long[] {stride, stride, padding, padding, b != null ? 1 : 0,
                    bf16 ? 1 : 0});
            return m.forward(x, w, bias, geometry).singletonOrThrow();
        }
    }

    /** Whether the native path is available here (PyTorch engine, module loaded, not turned off). */
    public static boolean available() {
        return Module.INSTANCE != null;
    }

    private static final class Module {
        static final ScriptedModule INSTANCE = "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))
                ? null : ScriptedModule.load("conv_transpose2d.pt");
    }
}
