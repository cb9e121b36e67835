package io.worldgate.runtime.nn;

/**
 * The thread's {@link Precision} for matrix products, as {@code torch.autocast} sets it: what
 * {@link Products} (and so the runtime's linear layers) read. Open it around an agent's update and its
 * act; scopes nest and restore what was there before, and a thread that opened none computes in
 * float32. The backward pass needs no scope: autograd replays what the forward recorded.
 *
 * <pre>
 * try (Autocast on = Autocast.open(precision)) {
 *     ... forward passes ...
 * }
 * </pre>
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<Precision> CURRENT = ThreadLocal.withInitial(() -> Precision.FP32);

    private final Precision previous;
    private boolean closed;

    private Autocast(Precision previous) {
        this.previous = previous;
    }

    /** Sets this thread's precision to {@code precision} until {@link #close}. */
    public static Autocast open(Precision precision) {
        Autocast scope = new Autocast(CURRENT.get());
        CURRENT.set(precision);
        return scope;
    }

    /** This thread's precision now. */
    public static Precision current() {
        return CURRENT.get();
    }

    /** Restores the precision from before {@link #open}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CURRENT.set(previous);
        }
    }
}
