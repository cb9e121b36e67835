package io.worldgate.gateway.bridge;

import io.worldgate.gateway.bridge.internal.python.ProcessGroups;
import java.time.Duration;
import java.util.concurrent.Future;

/**
 * The JVM shutdown hook that ends every Python env worker this process started, so that none
 * outlives it. An application that winds a run down on a signal (stops it at a step boundary,
 * checkpoints, closes its environments) holds the reaper until that is done.
 */
public final class WorkerReaper {
    private WorkerReaper() {}

    /** On shutdown, the reaper waits for {@code done}, at most {@code max}, before it ends the workers left. */
    public static void holdUntil(Future<?> done, Duration max) {
        ProcessGroups.holdReaperUntil(done, max);
    }
}
