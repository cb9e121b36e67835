package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.HandshakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One connected worker: its process (null for a remote worker), connection, spec and shm file. */
final class PythonWorker {
    private final WorkerProcess process;
    private final WorkerConnection connection;
    private final HandshakeResponse hello;
    private final EnvSpec spec;
    private final ShmReader shm;
    private long nextRequestId = 1;

    PythonWorker(WorkerProcess process, WorkerConnection connection, HandshakeResponse hello, EnvSpec spec, ShmReader shm) {
        this.process = process;
        this.connection = connection;
        this.hello = hello;
        this.spec = spec;
        this.shm = shm;
    }

    EnvSpec spec() {
        return spec;
    }

    /** Whether the worker said in its handshake that it can draw its envs. */
    boolean canRender() {
        return hello.getCapabilitiesList().contains("render");
    }

    /** The shm file, or null when observations come in the messages. */
    ShmReader shm() {
        return shm;
    }

    /** The worker's pid (its own report for remote workers). */
    long pid() {
        return process != null ? process.pid() : hello.getWorkerPid();
    }

    /** The process, or null for a remote worker. */
    WorkerProcess process() {
        return process;
    }

    String address() {
        return connection.address();
    }

    CompletableFuture<EnvResponse> submit(EnvRequest.Builder request) {
        return connection.submit(request.setRequestId(nextRequestId++).build());
    }

    /** The last stderr lines of a local worker, for messages; empty for remote ones. */
    String stderrSuffix(int lines) {
        return process == null ? "" : process.stderrSuffix(lines);
    }

    /** Ends a hung or broken worker now. */
    void kill() {
        connection.close();
        if (process != null) {
            process.kill();
        }
    }

    /** Asks the worker to stop, without waiting (see {@link #awaitClosed}). */
    void beginClose() {
        connection.close();
        if (process != null) {
            process.terminate();
        }
    }

    void awaitClosed(Duration grace) {
        if (process != null) {
            process.close(grace);
        }
    }

    /** Asks all to stop at once, then waits for each, so that their grace periods overlap. */
    static void closeAll(List<PythonWorker> workers, Duration grace) {
        for (PythonWorker w : workers) {
            w.beginClose();
        }
        for (PythonWorker w : workers) {
            w.awaitClosed(grace);
        }
    }

    @Override
    public String toString() {
        return (process != null ? "pid " + process.pid() : "remote pid " + hello.getWorkerPid()) + " at " + connection.address();
    }
}
