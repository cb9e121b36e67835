package io.worldgate.runtime.agent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.ActMode;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * State that an agent carries from one {@code act} call to the next for each of {@code N}
 * environments (a recurrent state, the previous action, a warm-started plan), kept apart for each
 * {@link ActMode}: the host may evaluate on other environments, with another {@code N}, between
 * two exploring calls.
 *
 * <p>An entry of environment {@code i} starts afresh where {@code isFirst[i]} (a new episode), and
 * every entry does where nothing is kept for the mode and {@code N} (the first call, another
 * number of environments, after {@link #clear()}): see {@link #resets}. How a fresh entry looks
 * is the agent's: it mixes its initial state in with {@link #resetWhere} or a mask of its own.
 *
 * <p>The values of a mode live in a child manager of the agent's manager, replaced on every
 * call. A call opens {@link #next}, builds the new value, attaches its arrays to
 * {@link Next#manager()} and {@link Next#commit commits} it; closing the {@code Next} installs it
 * and closes the previous one, or, if nothing was committed (the call failed), discards the new
 * one and keeps the previous. Open the {@code Next} before the update scope that lends it the
 * previous arrays, so that the scope gives them back before their manager is closed:
 *
 * <pre>{@code
 * S prev = states.get(mode, n);                          // null: start every entry afresh
 * boolean[] reset = states.resets(mode, batch.isFirst());
 * try (PerEnvState.Next<S> next = states.next(mode, n); UpdateScope u = UpdateScope.open(manager)) {
 *     ... compute the new state in u.manager(), then attach it to next.manager() ...
 *     next.commit(newState);
 * }
 * }</pre>
 *
 * @param <S> what is carried for the {@code N} environments of one mode (a record of NDArrays)
 */
public final class PerEnvState<S> implements AutoCloseable {
    private record Entry<S>(NDManager manager, S value, int size) {}

    private final NDManager parent;
    private final Map<ActMode, Entry<S>> entries = new EnumMap<>(ActMode.class);
    private boolean closed;

    /** @param parent the agent's manager; each mode's values live in a child of it */
    public PerEnvState(NDManager parent) {
        this.parent = Objects.requireNonNull(parent, "parent");
    }

    /** The value kept for {@code mode} if it was kept for {@code n} environments; null otherwise. */
    public S get(ActMode mode, int n) {
        Entry<S> e = entries.get(mode);
        return e != null && e.size() == n ? e.value() : null;
    }

    /**
     * Which entries start afresh on this call: all where nothing is kept for {@code mode} and
     * {@code isFirst.length} environments, else those where {@code isFirst[i]}.
     */
    public boolean[] resets(ActMode mode, boolean[] isFirst) {
        if (get(mode, isFirst.length) == null) {
            boolean[] all = new boolean[isFirst.length];
            Arrays.fill(all, true);
            return all;
        }
        return isFirst.clone();
    }

    /** {@link #resets} as a float mask, 1 where an entry starts afresh and 0 elsewhere. */
    public float[] resetMask(ActMode mode, boolean[] isFirst) {
        boolean[] r = resets(mode, isFirst);
        float[] mask = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            mask[i] = r[i] ? 1f : 0f;
        }
        return mask;
    }

    /**
     * {@code initial} where {@code reset[i]}, {@code carried} elsewhere, over the leading axis
     * {@code [N, ...]} of {@code carried}; {@code initial} broadcasts ({@code [1, ...]} or
     * {@code [N, ...]}). The result is attached to {@code carried}'s manager and, having a
     * condition, carries no gradient to the mask. So pass the kept state borrowed into (or
     * attached to) the manager of the step in progress, not the kept value itself: that one's
     * manager is closed when the next value is committed, and the result with it.
     */
    public static NDArray resetWhere(NDArray carried, NDArray initial, boolean[] reset) {
        Shape s = carried.getShape();
        if (s.dimension() < 1 || s.get(0) != reset.length) {
            throw new IllegalArgumentException("reset flags for " + reset.length + " environments, state " + s);
        }
        long[] maskShape = new long[s.dimension()];
        Arrays.fill(maskShape, 1);
        maskShape[0] = reset.length;
        NDArray condition = carried.getManager().create(reset).reshape(new Shape(maskShape)).broadcast(s);
        return NDArrays.where(condition, initial.broadcast(s), carried);
    }

    /** Starts the next value of {@code mode} for {@code n} environments. */
    public Next<S> next(ActMode mode, int n) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        return new Next<>(this, mode, n, parent.newSubManager());
    }

    /** Forgets every mode's values (after loading a checkpoint): the next call of each starts afresh. */
    public void clear() {
        entries.values().forEach(e -> e.manager().close());
        entries.clear();
    }

    /** Clears and refuses further use. */
    @Override
    public void close() {
        clear();
        closed = true;
    }

    private void install(ActMode mode, Entry<S> entry) {
        Entry<S> old = entries.put(mode, entry);
        if (old != null) {
            old.manager().close();
        }
    }

    /** The value being built for one mode; see the class comment. */
    public static final class Next<S> implements AutoCloseable {
        private final PerEnvState<S> owner;
        private final ActMode mode;
        private final int size;
        private final NDManager manager;
        private S value;
        private boolean closed;

        private Next(PerEnvState<S> owner, ActMode mode, int size, NDManager manager) {
            this.owner = owner;
            this.mode = mode;
            this.size = size;
            this.manager = manager;
        }

        /** Where the new value's arrays go ({@code attach}); freed when the value is replaced. */
        public NDManager manager() {
            return manager;
        }

        /** The new value, its arrays attached to {@link #manager()}; installed on {@link #close()}. */
        public void commit(S newValue) {
            this.value = Objects.requireNonNull(newValue, "newValue");
        }

        /** Installs the committed value and frees the previous one, or discards an uncommitted one. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (value == null || owner.closed) {
                manager.close();
            } else {
                owner.install(mode, new Entry<>(manager, value, size));
            }
        }
    }
}
