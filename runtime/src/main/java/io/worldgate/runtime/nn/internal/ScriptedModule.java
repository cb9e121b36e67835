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
 * A parameterless TorchScript module shipped in this package's resources (written by
 * {@code runtime/torchscript/make_modules.py}) whose {@code forward} DJL runs with the thread's
 * gradient mode, so autograd records it like any other operator: how the runtime reaches libtorch
 * kernels that DJL 0.35's JNI lacks.
 *
 * <p>DJL's PyTorch classes are reached by reflection, through the engine's class loader, so the
 * runtime keeps no compile-time dependency on the engine. {@link #load} returns null where a module
 * cannot be used (another engine, a missing or unreadable resource); callers then compose the
 * function from DJL's operators. A loaded module lives as long as the JVM (a few KiB).
 */
public final class ScriptedModule {
    private static final Logger LOG = LoggerFactory.getLogger(ScriptedModule.class);

    private final String resource;
    private final Object block;
    private final MethodHandle forward;
    private final Class<?> arrayClass;

    private ScriptedModule(String resource, Object block, MethodHandle forward, Class<?> arrayClass) {
        this.resource = resource;
        this.block = block;
        this.forward = forward;
        this.arrayClass = arrayClass;
    }

    /** Whether {@code x} is an array of the engine that runs the module (PyTorch's). */
    public boolean accepts(NDArray x) {
        return arrayClass.isInstance(x);
    }

    /**
     * {@code forward(inputs...)}: its outputs, attached to the first input's manager. An input whose
     * name DJL would read as a routing hint for TorchScript (a {@code .}, {@code [}, {@code (} or
     * {@code module_method:}) is passed as an unnamed view, closed again when the call returns.
     */
    public NDList forward(NDArray... inputs) {
        NDList args = new NDList(inputs.length);
        NDList views = new NDList();
        for (NDArray x : inputs) {
            if (readsAsRouting(x.getName())) {
                NDArray view = x.reshape(x.getShape());
                views.add(view);
                args.add(view);
            } else {
                args.add(x);
            }
        }
        try {
            return (NDList) forward.invoke(block, args, NoGradient.isRecording());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("the scripted module " + resource + " failed", t);
        } finally {
            // autograd holds what it saved itself: the views' handles can go now
            views.close();
        }
    }

    /** Whether DJL's TorchScript call would read {@code name} as routing rather than pass the array in order. */
    static boolean readsAsRouting(String name) {
        return name != null && (name.contains(".") || name.contains("[") || name.contains("(")
                || name.startsWith("module_method:"));
    }

    /** The module in resource {@code name} of this package; null where it cannot be used (logged once). */
    public static ScriptedModule load(String name) {
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
            // a manager of its own that is never closed: the module lives as long as the JVM
            NDManager owner = Engine.getEngine("PyTorch").newBaseManager(Device.cpu());
            Object block;
            try (InputStream in = ScriptedModule.class.getResourceAsStream(name)) {
                if (in == null) {
                    LOG.warn("{} is missing from the runtime; its function is composed of DJL's operators", name);
                    return null;
                }
                block = loadModule.invoke(manager.cast(owner), in, false, false);
            }
            return new ScriptedModule(name, block,
                    forward.asType(MethodType.methodType(NDList.class, Object.class, NDList.class, boolean.class)), array);
        } catch (Throwable t) {
            LOG.warn("the scripted module {} is not usable ({}); its function is composed of DJL's operators", name,
                    t.toString());
            return null;
        }
    }
}
