package io.worldgate.runtime.optim;

import ai.djl.engine.Engine;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Turns autograd recording off on the current thread for a block of code, and back to what it
 * was afterwards: the equivalent of PyTorch's {@code torch.no_grad()}.
 *
 * <p>Why it is needed: libtorch's gradient mode is a <em>per-thread</em> flag that starts on. DJL
 * switches it off on the thread that loads the engine and on during a {@code GradientCollector},
 * but a training run's own thread starts with it on, so every operation on a parameter there
 * (acting, imagining rollouts whose gradients are never used) records an autograd graph: time and
 * memory for nothing. Agents wrap such work in this scope.
 *
 * <pre>{@code
 * try (NoGradient off = NoGradient.open()) {
 *     NDArray action = policy(features).sample();      // no graph is recorded
 * }
 * }</pre>
 *
 * <p>On engines other than PyTorch this does nothing (they record only inside a collector).
 * Nests, also inside a {@link GradientScope}; closing restores the mode seen at opening.
 */
public final class NoGradient implements AutoCloseable {
    private static final MethodHandle IS_GRAD_MODE;
    private static final MethodHandle SET_GRAD_MODE;

    static {
        MethodHandle is = null;
        MethodHandle set = null;
        try {
            if ("PyTorch".equals(Engine.getDefaultEngineName())) {
                Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                is = lookup.findStatic(jni, "isGradMode", MethodType.methodType(boolean.class));
                set = lookup.findStatic(jni, "setGradMode", MethodType.methodType(void.class, boolean.class));
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            is = null;
            set = null;
        }
        IS_GRAD_MODE = is;
        SET_GRAD_MODE = set;
    }

    private final boolean previous;
    private boolean closed;

    private NoGradient(boolean previous) {
        this.previous = previous;
    }

    /** Switches recording off on this thread until {@link #close()}. */
    public static NoGradient open() {
        boolean before = isRecording();
        set(false);
        return new NoGradient(before);
    }

    /** Whether the engine records operations for autograd on this thread (false where unknown). */
    public static boolean isRecording() {
        if (IS_GRAD_MODE == null) {
            return false;
        }
        try {
            return (boolean) IS_GRAD_MODE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read the engine's gradient mode", t);
        }
    }

    /** Whether this engine's gradient mode can be switched (PyTorch). */
    public static boolean isSupported() {
        return SET_GRAD_MODE != null;
    }

    private static void set(boolean on) {
        if (SET_GRAD_MODE == null) {
            return;
        }
        try {
            SET_GRAD_MODE.invokeExact(on);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot set the engine's gradient mode", t);
        }
    }

    /** Restores the gradient mode seen when this scope was opened. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            set(previous);
        }
    }
}
