package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvWorkerException;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.StepResult;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restart policy of one vectorized env's workers: failures are counted within a window, the
 * env gives up after too many, and a failed worker is replaced in the background after a backoff
 * that doubles with each failure in the window, so that the other workers' envs go on stepping
 * meanwhile. {@link #record} is called from the env's own thread only; {@link #restart} runs on a
 * daemon thread of its own.
 */
final class WorkerSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerSupervisor.class);
    private static final ExecutorService RESTARTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "worldgate-worker-restart");
        t.setDaemon(true);
        return t;
    });

    /** A replacement worker and the result of its first reset. */
    record Restarted(PythonWorker worker, StepResult first) {}

    private final String envId;
    private final BridgeConfig config;
    private final WorkerStarter starter;
    private final EnvSpec spec;
    private final Deque<Long> failureTimes = new ArrayDeque<>();
    private volatile boolean closed;

    WorkerSupervisor(String envId, BridgeConfig config, WorkerStarter starter, EnvSpec spec) {
        this.envId = envId;
        this.config = config;
        this.starter = starter;
        this.spec = spec;
    }

    /**
     * Counts a failure of a worker.
     *
     * @param stderr the worker's last stderr lines, shown when the failure carries no traceback
     * @throws EnvWorkerException when the env must give up: too many failures in the window, or
     *     one no restart can mend
     * @throws IllegalArgumentException when the worker refused the request as invalid
     * @throws EnvException when the gateway is shutting down
     */
    void record(WorkerFailure f, String stderr) {
        if (ProcessGroups.shuttingDown()) {
            throw new EnvException("environment " + envId + ": the gateway is shutting down (" + f.getMessage() + ")", f);
        }
        if (f.kind() == WorkerFailure.Kind.INVALID_ARGUMENT) {
            throw new IllegalArgumentException("invalid request to " + envId + ": " + f.getMessage());
        }
        long now = System.nanoTime();
        failureTimes.addLast(now);
        while (now - failureTimes.peekFirst() > config.failureWindow().toNanos()) {
            failureTimes.removeFirst();
        }
        String traceback = f.traceback().isEmpty() ? stderr : f.traceback();
        if (!f.restartable()) {
            throw new EnvWorkerException(envId, "environment " + envId + ": " + f.getMessage(), traceback, f);
        }
        if (failureTimes.size() >= config.maxFailures()) {
            String window = config.failureWindow().toMillis() % 1000 == 0 ? config.failureWindow().toSeconds() + " s"
                    : config.failureWindow().toMillis() + " ms";
            String msg = "environment " + envId + ": the Python workers failed " + failureTimes.size() + " times within " + window
                    + "; giving up. Last failure: " + f.getMessage()
                    + (traceback.isEmpty() ? "" : "\nPython traceback" + (f.traceback().isEmpty() ? " (stderr)" : "") + ":\n"
                            + traceback.stripTrailing());
            throw new EnvWorkerException(envId, msg, traceback, f);
        }
        LOG.warn("{}: {} (failure {} within {} s; the env gives up at {}); restarting the worker", envId, f.getMessage(),
                failureTimes.size(), config.failureWindow().toSeconds(), config.maxFailures());
    }

    private long backoffMillis() {
        long base = Math.max(0, config.backoffInitial().toMillis());
        int exp = Math.min(20, Math.max(0, failureTimes.size() - 1));
        return Math.min(config.backoffMax().toMillis(), base << exp);
    }

    /**
     * Starts worker {@code index} of {@code k} envs again in the background, after the backoff, and
     * resets it with {@code reset}. The future fails with a {@link WorkerFailure} (whose traceback
     * is the new worker's stderr when it had none) or an {@link EnvException}; a worker that
     * started is killed when its reset fails.
     */
    CompletableFuture<Restarted> restart(int index, int k, long seed, Function<PythonWorker, StepResult> reset) {
        long backoff = backoffMillis();
        return CompletableFuture.supplyAsync(() -> {
            ProcessGroups.sleep(backoff);
            if (closed) {
                throw new EnvException("environment " + envId + " is closed");
            }
            PythonWorker w = starter.start(index, k, seed);
            try {
                if (closed) {
                    throw new EnvException("environment " + envId + " is closed");
                }
                String diff = ProtoSpecs.difference(spec, w.spec());
                if (diff != null) {
                    throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the restarted worker " + index + " hosts another env: " + diff);
                }
                return new Restarted(w, reset.apply(w));
            } catch (WorkerFailure f) {
                w.kill();
                String stderr = w.process() == null || !f.traceback().isEmpty() ? f.traceback() : w.process().stderrText(40);
                throw new WorkerFailure(f.kind(), f.getMessage(), stderr, f);
            } catch (RuntimeException e) {
                w.kill();
                throw e;
            }
        }, RESTARTS);
    }

    /** No further worker is started; a restart under way kills what it started (see {@link PythonVectorEnv#close}). */
    void close() {
        closed = true;
    }
}
