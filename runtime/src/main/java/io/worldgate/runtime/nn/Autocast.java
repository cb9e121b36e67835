package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.nn.internal.Bf16Kernels;
import io.worldgate.runtime.optim.NoGradient;
import java.util.IdentityHashMap;
import java.util.Map;

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
 *
 * <p>A scope opened with {@link #openForInference} (around a call that changes no parameter, such
 * as planning) also keeps, as {@code torch.autocast} does within its region, the bfloat16 copy of
 * each weight a product cast, and reuses it for the scope's later products on that weight: a plan
 * multiplies by the same few weights a hundred times and more. Only products that record no
 * gradients use it; the copies are freed when the scope closes.
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<Autocast> CURRENT = new ThreadLocal<>();

    private final Precision precision;
    private final Autocast previous;
    /** bfloat16 copies of weights by the weight's array (identity), or null where this scope keeps none. */
    private final Map<NDArray, NDArray> copies;
    private NDManager copiesManager;
    private boolean closed;

    private Autocast(Precision precision, Autocast previous, boolean keepCopies) {
        this.precision = precision;
        this.previous = previous;
        this.copies = keepCopies && precision == Precision.BF16 ? new IdentityHashMap<>() : null;
    }

    /** Sets this thread's precision to {@code precision} until {@link #close}. */
    public static Autocast open(Precision precision) {
        Autocast scope = new Autocast(precision, CURRENT.get(), false);
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Like {@link #open}, for a call during which no parameter changes (acting, planning): under
     * bfloat16 each parameter passed to {@link #weight} is cast once per scope, not once per product
     * (arrays derived from a parameter, slices or stacks, are not cached).
     */
    public static Autocast openForInference(Precision precision) {
        Autocast scope = new Autocast(precision, CURRENT.get(), true);
        CURRENT.set(scope);
        return scope;
    }

    /** This thread's precision now. */
    public static Precision current() {
        Autocast scope = CURRENT.get();
        return scope == null ? Precision.FP32 : scope.precision;
    }

    /**
     * The weight {@code w} as a product in this thread's scope should read it: the scope's
     * bfloat16 copy (made now if it has none) where the scope keeps copies, no gradient is
     * recorded and {@code w} is a parameter's array, else {@code w} itself (the product casts it).
     */
    static NDArray weight(NDArray w) {
        Autocast scope = CURRENT.get();
        // only parameters (DJL names their arrays) are worth a copy: a slice or a view made for one
        // product would be cast once either way
        if (scope == null || scope.copies == null || NoGradient.isRecording() || w.getName() == null
                || Bf16Kernels.isBf16(w)) {
            return w;
        }
        NDArray copy = scope.copies.get(w);
        if (copy == null) {
            if (scope.copiesManager == null) {
                scope.copiesManager = w.getManager().newSubManager();
            }
            // cast a view that lives in the scope's manager: a call attaches what it makes to its
            // first input's manager, which for the parameter itself lives as long as the model
            NDArray view = w.reshape(w.getShape());
            view.attach(scope.copiesManager);
            copy = Bf16Kernels.toBf16(view);
            if (copy == null) {
                return w;
            }
            copy.attach(scope.copiesManager);
            scope.copies.put(w, copy);
        }
        return copy;
    }

    /** How many weight copies this thread's scope keeps (for tests). */
    static int copiesKept() {
        Autocast scope = CURRENT.get();
        return scope == null || scope.copies == null ? 0 : scope.copies.size();
    }

    /** Restores the precision from before {@link #open}, and frees the scope's weight copies. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CURRENT.set(previous);
            if (copiesManager != null) {
                copiesManager.close();
                copies.clear();
            }
        }
    }
}
