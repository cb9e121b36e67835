package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * M's LSTM state carried from one training window to the next window of the same streams
 * ({@code rnn_state=carry}): the state after a window's last step, detached from that update's graph
 * (truncated backpropagation through time), is the next window's initial state. Between updates it
 * lives in its own manager; the update that takes it frees it with its scope.
 */
final class CarriedState implements AutoCloseable {
    private final NDManager manager;
    private MdnRnn.State state;

    CarriedState(NDManager base) {
        this.manager = base.newSubManager();
    }

    /**
     * The initial state of an update whose arrays live in {@code scope}: the carried state, moved
     * there, or zeros {@code [batch, H]} before the first window.
     */
    MdnRnn.State take(MdnRnn rnn, NDManager scope, long batch) {
        if (state == null) {
            return rnn.initial(scope, batch);
        }
        MdnRnn.State s = state;
        state = null;
        s.h().attach(scope);
        s.c().attach(scope);
        return s;
    }

    /** Keeps {@code last}, a window's final state, without its graph, for the next window. */
    void keep(MdnRnn.State last) {
        NDArray h = last.h().stopGradient();
        NDArray c = last.c().stopGradient();
        h.attach(manager);
        c.attach(manager);
        state = new MdnRnn.State(h, c);
    }

    @Override
    public void close() {
        manager.close();
    }
}
