package io.worldgate.runtime.nn.internal;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Matrix products and convolutions in bfloat16 (operands and result; the result returned widened to
 * float32, or for a hidden layer left in bfloat16), by libtorch's kernels through
 * {@link ScriptedModule}s ({@code linear_bf16.pt}, {@code linear_bf16_hidden.pt}, {@code matmul_bf16.pt},
 * {@code conv2d_bf16.pt});
 * what {@code runtime.nn.Products} runs under {@code Autocast} at bfloat16.
 *
 * <p>On a CPU with AVX512-BF16 (or AMX) oneDNN multiplies bfloat16 at several times its float32
 * rate (about 4x on this project's 2-core machine, one thread, casts included at 512 x 384 x 384);
 * without it libtorch emulates bfloat16 and is slower than float32, so {@link #fastOnThisCpu} asks
 * the CPU.
 */
public final class Bf16Kernels {
    private static final Pattern BF16_FLAGS = Pattern.compile("\\b(avx512_bf16|amx_bf16)\\b");

    private Bf16Kernels() {}

    /** {@code x w^T + b} ({@code b} may be null) in bfloat16, float32 out; null where the kernels are unavailable. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        ScriptedModule m = Modules.LINEAR;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return linearBy(m, x, w, b);
    }

    /**
     * {@code x w^T + b} ({@code b} may be null) in bfloat16 with the result left in bfloat16, as
     * {@code torch.autocast} leaves it, for a hidden layer whose normalisation and activation read
     * it; null where the kernels are unavailable.
     */
    public static NDArray hiddenLinear(NDArray x, NDArray w, NDArray b) {
        ScriptedModule m = Modules.HIDDEN_LINEAR;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return linearBy(m, x, w, b);
    }

    /** {@code m}'s linear layer of {@code x}, {@code w} and {@code b}, zeros where {@code b} is null. */
    private static NDArray linearBy(ScriptedModule m, NDArray x, NDArray w, NDArray b) {
        if (b != null) {
            return m.forward(x, w, b).singletonOrThrow();
        }
        // float32 zeros: w may be a bfloat16 copy (Autocast.openForInference), whose type DJL cannot name
        try (NDArray zeros = x.getManager().zeros(new Shape(w.getShape().get(0)), DataType.FLOAT32, w.getDevice())) {
            return m.forward(x, w, zeros).singletonOrThrow();
        }
    }

    /** {@code x} cast to bfloat16 (a weight's copy, {@code cast_bf16.pt}); null where the kernels are unavailable. */
    public static NDArray toBf16(NDArray x) {
        ScriptedModule m = Modules.CAST;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return m.forward(x).singletonOrThrow();
    }

    /** {@code a @ b} as {@code torch.matmul} in bfloat16, float32 out; null where the kernels are unavailable. */
    public static NDArray matMul(NDArray a, NDArray b) {
        ScriptedModule m = Modules.MATMUL;
        if (m == null || !m.accepts(a)) {
            return null;
        }
        return m.forward(a, b).singletonOrThrow();
    }

    /**
     * {@code a @ b} as {@code torch.matmul} in bfloat16 with the result left in bfloat16 (a hidden
     * layer's); null where the kernels are unavailable.
     */
    public static NDArray hiddenMatMul(NDArray a, NDArray b) {
        ScriptedModule m = Modules.HIDDEN_MATMUL;
        if (m == null || !m.accepts(a)) {
            return null;
        }
        return m.forward(a, b).singletonOrThrow();
    }

    /**
     * A 2-d convolution (as {@code Conv2d.conv2d}) in bfloat16, float32 out; null where the kernels
     * are unavailable.
     */
    public static NDArray conv2d(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding, Shape dilation,
            int groups) {
        ScriptedModule m = Modules.CONV2D;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        // the module reads the geometry as numbers: kept on the host, so a GPU run does not wait on a copy
        try (NDManager temporaries = x.getManager().newSubManager(Device.cpu())) {
            NDArray bias = b != null ? b : temporaries.zeros(new Shape(w.getShape().get(0)), w.getDataType(), w.getDevice());
            NDArray geometry = temporaries.create(new long[] {stride.get(0), stride.get(1), padding.get(0),
                    padding.get(1), dilation.get(0), dilation.get(1), groups});
            return m.forward(x, w, bias, geometry).singletonOrThrow();
        }
    }

    /**
     * Whether {@code x} holds bfloat16 numbers, such as a hidden layer's result from
     * {@link #hiddenLinear}. DJL 0.35's PyTorch engine reports a bfloat16 tensor's type as
     * {@code UNKNOWN} (its type table stops before bfloat16); the runtime makes no other tensor of a
     * type it does not know.
     */
    public static boolean isBf16(NDArray x) {
        DataType t = x.getDataType();
        return t == DataType.BFLOAT16 || t == DataType.UNKNOWN;
    }

    /** Whether the modules loaded (PyTorch engine, resources present). */
    public static boolean available() {
        return Modules.LINEAR != null && Modules.MATMUL != null && Modules.CONV2D != null
                && Modules.HIDDEN_LINEAR != null && Modules.CAST != null && Modules.HIDDEN_MATMUL != null;
    }

    /** Whether this CPU multiplies bfloat16 natively (Linux: AVX512-BF16 or AMX-BF16 in /proc/cpuinfo). */
    public static boolean fastOnThisCpu() {
        return Cpu.BF16;
    }

    private static final class Modules {
        static final ScriptedModule LINEAR = ScriptedModule.load("linear_bf16.pt");
        static final ScriptedModule MATMUL = ScriptedModule.load("matmul_bf16.pt");
        static final ScriptedModule CONV2D = ScriptedModule.load("conv2d_bf16.pt");
        static final ScriptedModule HIDDEN_LINEAR = ScriptedModule.load("linear_bf16_hidden.pt");
        static final ScriptedModule CAST = ScriptedModule.load("cast_bf16.pt");
        static final ScriptedModule HIDDEN_MATMUL = ScriptedModule.load("matmul_bf16_hidden.pt");
    }

    private static final class Cpu {
        static final boolean BF16 = readFlags();

        private static boolean readFlags() {
            Path info = Path.of("/proc/cpuinfo");
            try {
                return Files.isReadable(info)
                        && BF16_FLAGS.matcher(Files.readString(info).toLowerCase(Locale.ROOT)).find();
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
