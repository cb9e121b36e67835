package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.HandshakeResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts (or, for remote workers, connects to) one worker and brings it to an open session:
 * spawn, handshake line, Handshake (protocol check), Describe, shm mapping, Session.
 */
final class WorkerStarter {
    private static final AtomicLong COUNTER = new AtomicLong();
    /** {@code tcp} (default) or {@code unix}: how local gRPC workers listen. */
    static final String LISTEN_PROPERTY = "worldgate.bridge.listen";
    /**
     * Transport {@code shm}: how long, in microseconds, a side that expects a step's answer (the
     * gateway) or the next step (the worker) watches the step channel before sleeping on the
     * doorbell ({@link AdaptiveSpin}); 0 never. Workers watch only while there are fewer of them
     * than cores. x86 only ({@link #spinMicros(long, String)}).
     */
    static final String SPIN_PROPERTY = "worldgate.bridge.shmSpinMicros";
    static final long DEFAULT_SPIN_MICROS = 0;

    /** How long workers that started, when another could not, get to end before they are killed. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private final String envId;
    private final Map<String, String> options;
    private final BridgeConfig config;
    private final Path python;
    private final long spinMicros = spinMicros(Long.getLong(SPIN_PROPERTY, DEFAULT_SPIN_MICROS), System.getProperty("os.arch"));
    /** Workers of this env, set by {@link #startAll}; a restarted worker watches as its first start did. */
    private volatile int siblings = 1;

    /**
     * The watching budget on a host of architecture {@code osArch}: 0 but on x86. The worker stores
     * its results and then answer_seq with plain numpy stores, which only x86 shows to another core
     * in that order (spin.py); elsewhere a gateway watching answer_seq could read the results
     * before they are there, so neither side watches.
     */
    static long spinMicros(long requested, String osArch) {
        return Set.of("amd64", "x86_64", "x86", "i386", "i686").contains(osArch) ? requested : 0;
    }

    WorkerStarter(String envId, Map<String, String> options, BridgeConfig config) {
        this.envId = envId;
        this.options = Map.copyOf(options);
        this.config = config;
        this.python = config.remoteWorkers().isEmpty() ? PythonLocator.locate(config.python()) : null;
    }

    boolean remote() {
        return !config.remoteWorkers().isEmpty();
    }

    /** Where shm files and sockets go: /dev/shm when it exists. */
    static Path shmDirectory() {
        Path dev = Path.of("/dev/shm");
        return Files.isDirectory(dev) && Files.isWritable(dev) ? dev : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Starts the workers of {@code ks[i]} envs each, in parallel; worker {@code i} is seeded with the
     * number of envs before it. When one cannot start, those that did are closed again.
     *
     * @throws EnvException when a worker cannot start
     */
    List<PythonWorker> startAll(int[] ks) {
        siblings = ks.length;
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "worldgate-worker-start");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<PythonWorker>> futures = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < ks.length; i++) {
            int index = i;
            int seed = offset;
            futures.add(CompletableFuture.supplyAsync(() -> start(index, ks[index], seed), pool));
            offset += ks[i];
        }
        List<PythonWorker> started = new ArrayList<>();
        RuntimeException first = null;
        for (CompletableFuture<PythonWorker> f : futures) {
            try {
                started.add(f.join());
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : e;
                if (first == null) {
                    first = cause;
                }
            }
        }
        pool.shutdown();
        if (first != null) {
            PythonWorker.closeAll(started, CLOSE_GRACE);
            if (first instanceof WorkerFailure wf) {
                throw new EnvException("cannot start " + envId + ": " + wf.getMessage(), wf);
            }
            throw first;
        }
        return started;
    }

    /**
     * Starts worker {@code index} with {@code numEnvs} envs.
     *
     * @throws EnvException when the worker cannot start (bad id, missing package, no Python)
     * @throws WorkerFailure when it started but then failed (protocol, timeout, connection)
     */
    PythonWorker start(int index, int numEnvs, long seed) {
        return remote() ? connectRemote(index) : spawn(index, numEnvs, seed);
    }

    private PythonWorker spawn(int index, int numEnvs, long seed) {
        BridgeConfig.Transport transport = config.transport();
        String tag = ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        List<String> args = new ArrayList<>();
        List<Path> owned = new ArrayList<>();
        args.add(transport == BridgeConfig.Transport.PY4J ? "py4j-serve" : "serve");
        args.add("--env");
        args.add(envId);
        args.add("--num-envs");
        args.add(Integer.toString(numEnvs));
        args.add("--seed");
        args.add(Long.toString(Math.max(0, seed)));
        options.forEach((k, v) -> {
            args.add("--option");
            args.add(k + "=" + v);
        });
        if (transport != BridgeConfig.Transport.GRPC) {
            Path shm = shmDirectory().resolve("worldgate-" + tag);
            owned.add(shm);
            args.add("--shm");
            args.add(shm.toString());
        }
        Path stepFile = shmDirectory().resolve("worldgate-" + tag + "-step");
        Path bell = Path.of(System.getProperty("java.io.tmpdir")).resolve("worldgate-" + tag + ".bell");
        if (transport == BridgeConfig.Transport.SHM) {
            owned.add(stepFile);
            owned.add(bell);
            args.add("--step-shm");
            args.add(stepFile.toString());
            args.add("--doorbell");
            args.add(bell.toString());
            args.add("--spin-us");
            args.add(Long.toString(siblings < Runtime.getRuntime().availableProcessors() ? spinMicros : 0));
        }
        if (transport == BridgeConfig.Transport.PY4J) {
            args.add("--port");
            args.add("0");
        } else if ("unix".equals(System.getProperty(LISTEN_PROPERTY))) {
            Path sock = Path.of(System.getProperty("java.io.tmpdir")).resolve("worldgate-" + tag + ".sock");
            owned.add(sock);
            args.add("--listen");
            args.add("unix:" + sock);
        } else {
            args.add("--listen");
            args.add("127.0.0.1:0");
        }
        args.add("--exit-with-parent");
        String label = envId + " worker " + index;
        WorkerProcess process = WorkerProcess.start(python, args, config.workerEnvironment(), label, config.startTimeout(), owned);
        WorkerConnection conn = null;
        try {
            String address = process.handshake().address();
            conn = switch (transport) {
                case PY4J -> new Py4jConnection(address);
                case SHM -> new ShmConnection(new GrpcConnection(address), stepFile, bell, spinMicros);
                default -> new GrpcConnection(address);
            };
            return open(process, conn, numEnvs);
        } catch (RuntimeException e) {
            if (conn != null) {
                conn.close();
            }
            process.kill();
            if (e instanceof WorkerFailure wf) {
                throw new WorkerFailure(wf.kind(), wf.getMessage() + process.stderrSuffix(20), wf.traceback(), wf);
            }
            throw e;
        }
    }

    private PythonWorker connectRemote(int index) {
        String address = config.remoteWorkers().get(index);
        GrpcConnection conn = new GrpcConnection(address);
        try {
            return open(null, conn, -1);
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    private PythonWorker open(WorkerProcess process, WorkerConnection conn, int numEnvs) {
        // The worker is up (it announced itself, or it is the user's): it answers in moments when well.
        Duration deadline = config.startTimeout().compareTo(config.callTimeout()) < 0 ? config.startTimeout() : config.callTimeout();
        HandshakeResponse hello = conn.handshake(deadline);
        EnvSpec spec = conn.describe(deadline);
        if (numEnvs > 0 && spec.getNumEnvs() != numEnvs) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the worker at " + conn.address() + " hosts " + spec.getNumEnvs()
                    + " envs, " + numEnvs + " were asked for");
        }
        ShmReader shm = null;
        if (spec.hasShm() && !spec.getShm().getPath().isEmpty()) {
            try {
                shm = new ShmReader(spec.getShm(), spec.getNumEnvs());
            } catch (IOException e) {
                throw new EnvException("cannot read the shared-memory file " + spec.getShm().getPath() + " of the env worker at "
                        + conn.address() + ": " + e.getMessage()
                        + (process == null ? "; a worker on another host must be started without --shm" : ""), e);
            }
        }
        conn.openSession();
        return new PythonWorker(process, conn, hello, spec, shm);
    }
}
