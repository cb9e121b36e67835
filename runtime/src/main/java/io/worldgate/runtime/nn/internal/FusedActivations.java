package io.worldgate.runtime.nn.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.optim.NoGradient;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch's single-kernel SiLU, reached through a TorchScript module, for the large activations
 * where it pays.
 *
 * <p>Why: DJL 0.35's JNI has no SiLU, and {@code x * sigmoid(x)} is two operators forward, more
 * backward, and makes autograd keep {@code sigmoid(x)} beside {@code x}. libtorch's own kernel is
 * about 2 to 2.4 times faster forward and backward on a convolution's activations
 * ({@code [1024, 32, 32, 32]}, one thread) and keeps only {@code x}. A TorchScript module's
 * method runs it with autograd (DJL calls it with the thread's gradient mode); the module,
 * {@code activations.pt}, holds only the scripted call ({@code runtime/torchscript/}).
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

    private static final Logger LOG = LoggerFactory.getLogger(FusedActivations.class);

    private FusedActivations() {}

    /** SiLU of {@code x} by libtorch's kernel, attached to {@code x}'s manager; null where not applicable. */
    public static NDArray silu(NDArray x) {
        if (x.size() < MIN_ELEMENTS || x.getName() != null) {
            return null;
        }
        Module m = Module.INSTANCE;
        if (m == null || !m.accepts(x)) {
            return null;
        }
        return m.forward(x);
    }

    /** Whether the fused path is available here (PyTorch engine, module loaded, not turned off). */
    public static boolean available() {
        return Module.INSTANCE != null;
    }

    /** The loaded module and the DJL calls that reach it; null when it cannot be used here. */
    private static final class Module {
        static final Module INSTANCE = load();

        private final Object block;
        private final MethodHandle forward;
        private final Class<?> arrayClass;

        private Module(Object block, MethodHandle forward, Class<?> arrayClass) {
            this.block = block;
            this.forward = forward;
            this.arrayClass = arrayClass;
        }

        boolean accepts(NDArray x) {
            return arrayClass.isInstance(x);
        }

        NDArray forward(NDArray x) {
            try {
                NDList out = (NDList) forward.invoke(block, new NDList(x), NoGradient.isRecording());
                return out.singletonOrThrow();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("the fused SiLU failed", t);
            }
        }

        private static Module load() {
            if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
                return null;
            }
            try {
                if (!"PyTorch".equals(Engine.getDefaultEngineName())) {
                    return null;
                }
                ClassLoader loader = Engine.getEngine("PyTorch").getClass().getClassLoader();
                Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils", true, loader);
                Class<?> values = Class.forName("ai.djl.pytorch.jni.IValueUtils", true, loader);
                Class<?> manager = Class.forName("ai.djl.pytorch.engine.PtNDManager", true, loader);
                Class<?> symbolBlock = Class.forName("ai.djl.pytorch.engine.PtSymbolBlock", true, loader);
                Class<?> array = Class.forName("ai.djl.pytorch.engine.PtNDArray", true, loader);
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                MethodHandle loadModule = lookup.findStatic(jni, "loadModule",
                        MethodType.methodType(symbolBlock, manager, InputStream.class, boolean.class, boolean.class));
                MethodHandle forward = lookup.findStatic(values, "forward",
                        MethodType.methodType(NDList.class, symbolBlock, NDList.class, boolean.class));
                // a manager of its own that is never closed: the module lives as long as this class
                NDManager owner = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
                Object block;
                try (InputStream in = FusedActivations.class.getResourceAsStream("activations.pt")) {
                    if (in == null) {
                        LOG.warn("activations.pt is missing from the runtime; SiLU is composed of two operators");
                        return null;
                    }
                    block = loadModule.invoke(manager.cast(owner), in, false, false);
                }
                LOG.debug("SiLU runs as libtorch's kernel on arrays of {} elements or more", MIN_ELEMENTS);
                return new Module(block, forward.asType(MethodType.methodType(
                        NDList.class, Object.class, NDList.class, boolean.class)), array);
            } catch (Throwable t) {
                LOG.warn("libtorch's SiLU kernel is not reachable ({}); SiLU is composed of two operators", t.toString());
                return null;
            }
        }
    }
}
