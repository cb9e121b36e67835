package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvWorkerException;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.StepResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts one vectorized env's failed workers: each failure is judged by the {@link RestartPolicy}
 * (the env gives up after too many), and a failed worker is replaced in the background after the
 * policy's backoff, so that the other workers' envs go on stepping meanwhile. Everything but the
 * background start is called from the env's own thread only; {@link #restart} runs on a daemon
 * thread of its own.
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
    private final WorkerProtocol protocol;
    private final RestartPolicy policy;
    private volatile boolean closed;

    WorkerSupervisor(String envId, BridgeConfig config, WorkerStarter starter, EnvSpec spec, WorkerProtocol protocol) {
        this.envId = envId;
        this.config = config;
        this.starter = starter;
        this.spec = spec;
        this.protocol = protocol;
        this.policy = new RestartPolicy(config.maxFailures(), config.failureWindow(), config.backoffInitial(),
                config.backoffMax());
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
        policy.recordFailure(System.nanoTime());
        String traceback = f.traceback().isEmpty() ? stderr : f.traceback();
        if (!f.restartable()) {
            throw new EnvWorkerException(envId, "environment " + envId + ": " + f.getMessage(), traceback, f);
        }
        if (policy.exhausted()) {
            String msg = "environment " + envId + ": the Python workers failed " + policy.failuresInWindow() + " times within "
                    + policy.windowText() + "; giving up. Last failure: " + f.getMessage()
                    + (traceback.isEmpty() ? "" : "\nPython traceback" + (f.traceback().isEmpty() ? " (stderr)" : "") + ":\n"
                            + traceback.stripTrailing());
            throw new EnvWorkerException(envId, msg, traceback, f);
        }
        LOG.warn("{}: {} (failure {} within {} s; the env gives up at {}); restarting the worker", envId, f.getMessage(),
                policy.failuresInWindow(), policy.window().toSeconds(), policy.maxFailures());
    }

    /**
     * Starts worker {@code index} of {@code k} envs again in the background, after the backoff, and
     * resets it with {@code reset}. The future fails with a {@link WorkerFailure} (whose traceback
     * is the new worker's stderr when it had none) or an {@link EnvException}; a worker that
     * started is killed when its reset fails.
     */
    CompletableFuture<Restarted> restart(int index, int k, long seed, Function<PythonWorker, StepResult> reset) {
        long backoff = policy.backoffMillis();
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

    /** Counts a failure of the slot's worker; throws as {@link #record} does when the env must give up. */
    void recordFailure(WorkerSlot s, WorkerFailure f) {
        record(f, s.stderrTail());
    }

    /** Kills the slot's worker and starts its replacement in the background, to be reset with {@code seed}. */
    void replace(WorkerSlot s, long seed) {
        if (s.worker != null) {
            s.worker.kill();
            s.worker = null;
        }
        s.restarts++;
        s.restartSeed = seed;
        int index = s.index;
        s.restart = restart(index, s.k, seed, w -> protocol.resetNow(index, w, seed, config.callTimeout()));
    }

    /**
     * Takes in the slot's finished restart: its worker and first result; or, when it failed, counts
     * the failure, starts another and returns null.
     */
    StepResult awaitRestart(WorkerSlot s) {
        Restarted r;
        try {
            r = s.restart.join();
        } catch (CompletionException e) {
            s.restart = null;
            Throwable c = e.getCause();
            WorkerFailure f;
            if (c instanceof WorkerFailure wf) {
                f = wf;
            } else if (c instanceof EnvException ee && !(ee instanceof EnvWorkerException) && !ProcessGroups.shuttingDown()) {
                f = new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "restarting worker " + s.index + " failed: "
                        + ee.getMessage(), "", ee);
            } else {
                throw c instanceof RuntimeException re ? re : e;
            }
            recordFailure(s, f);
            replace(s, s.restartSeed);
            return null;
        }
        s.restart = null;
        s.worker = r.worker();
        LOG.info("{}: worker {} restarted ({}), envs {}..{} reset with seed {}", envId, s.index, s.worker, s.offset,
                s.offset + s.k - 1, s.restartSeed);
        return r.first();
    }

    /** Waits for the slot's restart, and its retries, to end; returns the new worker's first result. */
    StepResult restartNow(WorkerSlot s) {
        while (true) {
            StepResult r = awaitRestart(s);
            if (r != null) {
                return r;
            }
        }
    }

    /** No further worker is started; a restart under way kills what it started (see {@link PythonVectorEnv#close}). */
    void close() {
        closed = true;
    }
}
