package io.worldgate.runtime.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records operations for a backward pass: a DJL {@link GradientCollector} guarded by a JVM-wide
 * lock.
 *
 * <p>Why the lock: DJL's PyTorch engine allows one gradient collector per JVM at a time (a second
 * one throws {@code IllegalStateException}), and several agents may train on different threads of
 * one gateway. Opening a scope waits until no other thread holds one. Gradients accumulate across
 * {@link #backward} calls until the optimizer zeroes them.
 *
 * <pre>{@code
 * try (GradientScope tape = GradientScope.open()) {
 *     tape.backward(loss);
 * }
 * optimizer.step();   // after closing: parameters are updated outside gradient recording
 * }</pre>
 */
public final class GradientScope implements AutoCloseable {
    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private final GradientCollector collector;
    private boolean closed;

    private GradientScope(GradientCollector collector) {
        this.collector = collector;
    }

    /**
     * Opens a scope, waiting for any other thread's scope to close.
     *
     * @throws IllegalStateException if this thread already has one open
     */
    public static GradientScope open() {
        if (LOCK.isHeldByCurrentThread()) {
            throw new IllegalStateException("a GradientScope is already open on this thread; close it first");
        }
        LOCK.lock();
        try {
            return new GradientScope(Engine.getInstance().newGradientCollector());
        } catch (RuntimeException | Error e) {
            LOCK.unlock();
            throw e;
        }
    }

    /** Whether the current thread has a scope open (parameters must not be updated then). */
    public static boolean isOpenOnThisThread() {
        return LOCK.isHeldByCurrentThread();
    }

    /** Back-propagates {@code loss} (ones as the output gradient if it is not a scalar). */
    public void backward(NDArray loss) {
        if (closed) {
            throw new IllegalStateException("gradient scope is closed");
        }
        collector.backward(loss);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                collector.close();
            } finally {
                LOCK.unlock();
            }
        }
    }
}
