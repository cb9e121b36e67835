package io.worldgate.runtime;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import java.util.Objects;

/**
 * The per-update child {@link NDManager}: everything created for one training update (inputs,
 * activations, losses) goes into {@link #manager()}, and closing the scope frees it all at once.
 * Values that must outlive the update are moved out with {@link #keep}. See the package
 * documentation for the whole pattern and the DJL rules behind it.
 *
 * <p>Not thread-safe; one scope belongs to the thread running the update.
 */
public final class UpdateScope implements AutoCloseable {
    private final NDManager manager;
    private boolean closed;

    private UpdateScope(NDManager manager) {
        this.manager = manager;
    }

    /** Opens a scope whose manager is a new child of {@code base} (same device). */
    public static UpdateScope open(NDManager base) {
        Objects.requireNonNull(base, "base");
        return new UpdateScope(base.newSubManager());
    }

    /** The manager to create this update's arrays in. */
    public NDManager manager() {
        if (closed) {
            throw new IllegalStateException("update scope is closed");
        }
        return manager;
    }

    /**
     * Moves {@code resource} (an NDArray or NDList created during the update) to {@code target}, so
     * that closing this scope does not free it.
     *
     * @return {@code resource}, for chaining
     */
    public <T extends NDResource> T keep(T resource, NDManager target) {
        resource.attach(target);
        return resource;
    }

    /** {@link #keep} for each array of a list. */
    public NDList keepAll(NDList list, NDManager target) {
        list.attach(target);
        return list;
    }

    /**
     * Lends a long-lived {@code resource} to this update: it can be used freely in the update and
     * goes back to its own manager when the scope closes (it is not freed).
     */
    public <T extends NDResource> T borrow(T resource) {
        resource.tempAttach(manager());
        return resource;
    }

    /** Number of arrays this update currently holds (for tests and diagnostics). */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** Frees every array of the update that was not kept; returns borrowed ones. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
