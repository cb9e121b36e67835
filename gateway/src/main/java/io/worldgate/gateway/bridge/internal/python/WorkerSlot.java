package io.worldgate.gateway.bridge.internal.python;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One worker of a vectorized env and the envs it hosts, {@code offset .. offset + k - 1}, with the
 * state of its restart. Used from the env's own thread only; {@link WorkerSupervisor} moves it
 * through a restart.
 */
final class WorkerSlot {
    final int index;
    final int offset;
    final int k;
    PythonWorker worker;
    int restarts;
    /** The replacement of a failed worker, starting in the background; while set, the slot's envs wait. */
    CompletableFuture<WorkerSupervisor.Restarted> restart;
    /** The seed the replacement is reset with. */
    long restartSeed;
    /** First observations of a restarted worker, delivered with isFirst at the next step. */
    ByteBuffer[] pending;
    /**
     * A failure met between steps (a render that timed out): the worker may still answer it later,
     * so it is not asked anything more and is restarted at the next reset or step.
     */
    WorkerFailure failedBetweenSteps;

    WorkerSlot(int index, int offset, int k) {
        this.index = index;
        this.offset = offset;
        this.k = k;
    }

    boolean hosts(int env) {
        return env >= offset && env < offset + k;
    }

    /** Whether the worker can be asked something now: it runs, and has no restart or failure outstanding. */
    boolean askable() {
        return restart == null && pending == null && failedBetweenSteps == null;
    }

    /** Throws, once, the failure met between steps, so that the caller handles it as a failure of this call. */
    void throwFailureBetweenSteps() {
        WorkerFailure f = failedBetweenSteps;
        if (f != null) {
            failedBetweenSteps = null;
            throw f;
        }
    }

    /** The last stderr lines of a local worker, to stand in for a missing traceback. */
    String stderrTail() {
        return worker != null && worker.process() != null ? worker.process().stderrText(40) : "";
    }
}
