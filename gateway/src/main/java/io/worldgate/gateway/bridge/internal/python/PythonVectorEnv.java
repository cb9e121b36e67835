package io.worldgate.gateway.bridge.internal.python;

import com.google.protobuf.ByteString;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvWorkerException;
import io.worldgate.gateway.bridge.FrameRenderer;
import io.worldgate.gateway.bridge.StepInfos;
import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.NamedTensor;
import io.worldgate.proto.env.v1.ObservationSpec;
import io.worldgate.proto.env.v1.Render;
import io.worldgate.proto.env.v1.Reset;
import io.worldgate.proto.env.v1.Status;
import io.worldgate.proto.env.v1.Step;
import io.worldgate.proto.env.v1.StepResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N environments over W Python workers of K envs each, as one {@link VectorEnv}.
 *
 * <p>Worker {@code w} hosts envs {@code offset_w .. offset_w + K_w - 1} and is reset with
 * {@code seed + offset_w}, so env {@code i} is seeded with {@code seed + i} overall. A step sends
 * every worker its slice of the actions first, then collects the answers (each within the call
 * deadline), so the workers step in parallel. Observations are copied into newly allocated
 * tensors, from the shared-memory file or from the messages. Episode ids are assigned here: a new
 * id whenever {@code isFirst}.
 *
 * <p>Supervision ({@link WorkerSupervisor}): a worker that dies, hangs past the step deadline
 * ({@link StepDeadline}: it follows the observed step times), or whose simulator raises is killed
 * and started again in the background, after a backoff that doubles with each failure in the
 * window, and reset with a fresh seed. The other workers' envs go on stepping meanwhile. The
 * failed worker's envs report, in this order: the episode it cut, as {@code truncated} with its
 * last observation ({@link #cut} says so); then, while the new worker starts, a stand-in row per
 * step: {@code isFirst} with the last observation held, reward 0, the action ignored
 * ({@link #waiting}); then the new episode's first observation with {@code isFirst}. So the
 * auto-reset rule holds and a stalled env looks like episodes of no steps. After
 * {@code maxFailures} failures within {@code failureWindow} the env gives up with an
 * {@link EnvWorkerException} that names the env and carries the Python traceback.
 */
public final class PythonVectorEnv implements VectorEnv, StepInfos, FrameRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(PythonVectorEnv.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    /** One observation: name, dtype, shape of one env, bytes per env. */
    private record Obs(String name, DType dtype, int[] shape, int bytesPerEnv) {}

    /** One worker and the envs it hosts. */
    private static final class Slot {
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
         * A failure met between steps (a render that timed out): the worker may still answer it
         * later, so it is not asked anything more and is restarted at the next reset or step.
         */
        WorkerFailure failedBetweenSteps;

        Slot(int index, int offset, int k) {
            this.index = index;
            this.offset = offset;
            this.k = k;
        }
    }

    private final String envId;
    private final BridgeConfig config;
    private final WorkerStarter starter;
    private final Slot[] slots;
    private final io.worldgate.proto.env.v1.EnvSpec protoSpec;
    private final EnvSpec spec;
    private final Obs[] obs;
    private final int n;
    private final boolean discrete;
    private final int[] actionShape;
    private final int actionBytesPerEnv;
    private final long[] episodeIds;
    private final WorkerSupervisor supervisor;
    private final StepDeadline stepDeadline;
    private boolean[] lastCut;
    private boolean[] lastWaiting;
    private long nextEpisodeId;
    private long baseSeed;
    private boolean resetDone;
    private boolean closed;
    private EnvException broken;
    private StepBatch last;
    private Map<String, float[]> lastInfos = Map.of();
    /** Why drawing failed, once it has; frames are not asked for again. */
    private String renderFailure;

    private PythonVectorEnv(String requestedId, BridgeConfig config, WorkerStarter starter, List<Slot> slots,
            List<PythonWorker> workers) {
        this.config = config;
        this.starter = starter;
        this.slots = slots.toArray(new Slot[0]);
        for (int w = 0; w < this.slots.length; w++) {
            this.slots[w].worker = workers.get(w);
        }
        this.protoSpec = workers.get(0).spec();
        this.envId = protoSpec.getEnvId().isEmpty() ? requestedId : protoSpec.getEnvId();
        for (PythonWorker w : workers) {
            String diff = ProtoSpecs.difference(protoSpec, w.spec());
            if (diff != null) {
                throw new EnvException("the workers of " + requestedId + " do not host the same environment: " + diff);
            }
        }
        int total = 0;
        for (Slot s : this.slots) {
            total += s.k;
        }
        this.n = total;
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bridge.transport", workers.get(0).shm() == null ? (starter.remote() ? "grpc (remote)" : "grpc")
                : config.transport().label());
        props.put("bridge.workers", Integer.toString(this.slots.length));
        this.spec = ProtoSpecs.toApi(protoSpec, n, props);
        List<Obs> o = new ArrayList<>();
        for (ObservationSpec os : protoSpec.getObservationsList()) {
            DType d = ProtoSpecs.dtype(os.getDtype());
            int[] shape = ProtoSpecs.shape(os.getShapeList());
            o.add(new Obs(os.getName(), d, shape, Math.toIntExact(Tensor.numElements(shape) * d.byteSize())));
        }
        this.obs = o.toArray(new Obs[0]);
        this.discrete = spec.actionSpace() instanceof DiscreteSpace;
        this.actionShape = discrete ? new int[0] : ((BoxSpace) spec.actionSpace()).shape();
        this.actionBytesPerEnv = discrete ? 4 : Math.toIntExact(Tensor.numElements(actionShape) * 4);
        this.episodeIds = new long[n];
        this.lastCut = new boolean[n];
        this.lastWaiting = new boolean[n];
        this.supervisor = new WorkerSupervisor(envId, config, starter, protoSpec);
        this.stepDeadline = new StepDeadline(config.stepDeadlineFloor(), config.callTimeout());
    }

    /**
     * Starts (or connects to) the workers for {@code numEnvs} envs of {@code id}.
     *
     * @throws EnvException with the worker's own explanation when it cannot start
     */
    public static PythonVectorEnv open(String id, int numEnvs, Map<String, String> options, BridgeConfig config) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new EnvException("the Python env bridge needs a little-endian host");
        }
        WorkerStarter starter = new WorkerStarter(id, options, config);
        int w = starter.remote() ? config.remoteWorkers().size()
                : Math.min(numEnvs, config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors());
        int[] ks = new int[w];
        for (int i = 0; i < w; i++) {
            ks[i] = numEnvs / w + (i < numEnvs % w ? 1 : 0);
        }
        List<PythonWorker> workers = startAll(starter, id, ks);
        List<Slot> slots = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < w; i++) {
            int k = workers.get(i).spec().getNumEnvs();
            slots.add(new Slot(i, offset, k));
            offset += k;
        }
        try {
            if (starter.remote() && offset != numEnvs) {
                throw new EnvException("the workers " + config.remoteWorkers() + " host " + offset + " envs of " + id + " in all, but "
                        + numEnvs + " were asked for; pass --envs " + offset);
            }
            if (starter.remote()) {
                for (int i = 0; i < w; i++) {
                    String family = id.substring(0, Math.max(0, id.indexOf(':')));
                    String have = workers.get(i).spec().getFamily();
                    if (!family.isEmpty() && !have.isEmpty() && !family.equals(have)) {
                        throw new EnvException("the worker at " + config.remoteWorkers().get(i) + " hosts "
                                + workers.get(i).spec().getEnvId() + ", not " + id);
                    }
                }
            }
            return new PythonVectorEnv(id, config, starter, slots, workers);
        } catch (RuntimeException e) {
            closeAll(workers);
            throw e;
        }
    }

    private static List<PythonWorker> startAll(WorkerStarter starter, String id, int[] ks) {
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
            futures.add(CompletableFuture.supplyAsync(() -> starter.start(index, ks[index], seed), pool));
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
            closeAll(started);
            if (first instanceof WorkerFailure wf) {
                throw new EnvException("cannot start " + id + ": " + wf.getMessage(), wf);
            }
            throw first;
        }
        return started;
    }

    private static void closeAll(List<PythonWorker> workers) {
        for (PythonWorker w : workers) {
            w.beginClose();
        }
        for (PythonWorker w : workers) {
            w.awaitClosed(CLOSE_GRACE);
        }
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    /** The pids of the current workers, in order (for tests and diagnostics). */
    public List<Long> workerPids() {
        List<Long> out = new ArrayList<>();
        for (Slot s : slots) {
            out.add(s.worker == null ? -1L : s.worker.pid());
        }
        return out;
    }

    /** The deadline of the next step (it follows the observed step times). */
    public Duration stepDeadline() {
        return stepDeadline.current();
    }

    /** How many times each worker has been restarted. */
    public int[] restarts() {
        int[] r = new int[slots.length];
        for (int i = 0; i < slots.length; i++) {
            r[i] = slots[i].restarts;
        }
        return r;
    }

    // ------------------------------------------------------------------ reset and step

    @Override
    public StepBatch reset(long seed) {
        ensureUsable();
        if (seed < 0) {
            throw new IllegalArgumentException("seeds of " + envId + " must be >= 0, got " + seed);
        }
        try {
            return doReset(seed);
        } catch (WorkerFailure f) {
            throw giveUp(f);
        }
    }

    @Override
    public StepBatch step(Tensor actions) {
        ensureUsable();
        if (!resetDone) {
            throw new IllegalStateException("step before reset on " + envId + ": call reset(seed) first");
        }
        validate(actions);
        try {
            return doStep(actions);
        } catch (WorkerFailure f) {
            throw giveUp(f);
        }
    }

    /**
     * Asks the worker of env {@code envIndex} to draw it (the simulator's own camera, e.g. the
     * {@code render_size} option of {@code dmc:}). Drawing is an extra for videos: when it fails the
     * env goes on, the failure is logged once, and no further frames are asked for; a worker that
     * broke while drawing is restarted at the next step as usual.
     */
    @Override
    public Optional<Tensor> renderFrame(int envIndex) {
        if (envIndex < 0 || envIndex >= n) {
            throw new IllegalArgumentException("env index " + envIndex + " is outside 0.." + (n - 1) + " of " + envId);
        }
        Slot s = slotOf(envIndex);
        if (closed || broken != null || !resetDone || renderFailure != null || s.worker == null || s.failedBetweenSteps != null
                || !s.worker.canRender()) {
            return Optional.empty();
        }
        if (s.pending != null || lastWaiting[envIndex]) {
            // a restarted worker's env already shows its new episode while the batch still reports the cut one's end
            return Optional.empty();
        }
        try {
            CompletableFuture<EnvResponse> f = s.worker.submit(EnvRequest.newBuilder()
                    .setRender(Render.newBuilder().setEnvIndex(envIndex - s.offset)));
            EnvResponse r = await(s.index, s.worker, f, System.nanoTime(), config.callTimeout(), "render",
                    EnvResponse.ResultCase.RENDER);
            return Optional.of(frame(s.worker, r.getRender().getImage()));
        } catch (WorkerFailure f) {
            if (f.kind() == WorkerFailure.Kind.TIMEOUT || f.kind() == WorkerFailure.Kind.DISCONNECTED) {
                s.failedBetweenSteps = f;
            }
            renderFailure = f.getMessage();
            LOG.warn("{}: cannot draw env {}, so no more frames are asked for: {}", envId, envIndex, renderFailure);
            return Optional.empty();
        }
    }

    private Slot slotOf(int envIndex) {
        for (Slot s : slots) {
            if (envIndex < s.offset + s.k) {
                return s;
            }
        }
        throw new IllegalStateException("no worker hosts env " + envIndex);
    }

    private Tensor frame(PythonWorker w, io.worldgate.proto.env.v1.Tensor image) {
        int[] shape = ProtoSpecs.shape(image.getShapeList());
        if (ProtoSpecs.dtype(image.getDtype()) != DType.UINT8 || shape.length != 3 || shape[2] != 3
                || image.getData().size() != Tensor.numElements(shape)) {
            throw protocol(w, "a frame of " + image.getData().size() + " bytes (" + image.getDtype() + " " + Arrays.toString(shape)
                    + "), expected uint8 [H, W, 3]");
        }
        Tensor t = Tensor.allocate(DType.UINT8, shape);
        image.getData().copyTo(t.buffer().duplicate());
        return t;
    }

    /** A failure no restart can mend (a worker breaking the protocol): the env is broken from now on. */
    private EnvWorkerException giveUp(WorkerFailure f) {
        broken = new EnvWorkerException(envId, "environment " + envId + ": " + f.getMessage(), f.traceback(), f);
        return (EnvWorkerException) broken;
    }

    private StepBatch doReset(long seed) {
        baseSeed = seed;
        Out out = new Out();
        for (Slot s : slots) {
            if (s.restart != null) {
                restartNow(s); // its first observations are dropped: the reset below seeds it anew
            }
            s.pending = null;
        }
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        for (Slot s : slots) {
            futures.add(s.failedBetweenSteps != null ? null : s.worker.submit(resetRequest(seed + s.offset)));
        }
        long start = System.nanoTime();
        for (Slot s : slots) {
            try {
                throwFailureBetweenSteps(s);
                StepResult r = await(s.index, s.worker, futures.get(s.index), start, config.callTimeout(), "reset",
                        EnvResponse.ResultCase.STEP).getStep();
                readInto(s.worker, r, s.k, out.buffers, s.offset, out);
            } catch (WorkerFailure f) {
                recordFailure(s, f);
                replace(s, seed + s.offset);
                StepResult first = restartNow(s); // sets s.worker, which reads the result's shared memory
                readInto(s.worker, first, s.k, out.buffers, s.offset, out);
            }
        }
        resetDone = true;
        return finish(out);
    }

    private StepBatch doStep(Tensor actions) {
        takeFinishedRestarts();
        // With every worker restarting no simulator would step: wait for one rather than report only stand-ins.
        while (Arrays.stream(slots).allMatch(s -> s.restart != null)) {
            try {
                CompletableFuture.anyOf(Arrays.stream(slots).map(s -> s.restart).toArray(CompletableFuture[]::new)).get();
            } catch (ExecutionException e) {
                // a failed restart: takeFinishedRestarts counts it and starts another
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnvException("interrupted while waiting for the workers of " + envId, e);
            }
            takeFinishedRestarts();
        }
        Out out = new Out();
        ByteBuffer all = actions.buffer();
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        for (Slot s : slots) {
            futures.add(s.restart != null || s.pending != null || s.failedBetweenSteps != null ? null
                    : s.worker.submit(stepRequest(all, s)));
        }
        long start = System.nanoTime();
        Duration limit = stepDeadline.current();
        // Only a step every asked worker answered in time tells how long steps take.
        boolean timed = futures.stream().anyMatch(f -> f != null);
        for (Slot s : slots) {
            if (s.restart != null) {
                hold(s, out);
                continue;
            }
            if (s.pending != null) {
                deliverPending(s, out);
                continue;
            }
            try {
                throwFailureBetweenSteps(s);
                StepResult r = await(s.index, s.worker, futures.get(s.index), start, limit, "step", EnvResponse.ResultCase.STEP)
                        .getStep();
                readInto(s.worker, r, s.k, out.buffers, s.offset, out);
            } catch (WorkerFailure f) {
                timed = false;
                fail(s, f, out);
            }
        }
        if (timed) {
            stepDeadline.record(System.nanoTime() - start);
        }
        return finish(out);
    }

    /** Takes in the workers whose restart has ended: their first observations go out with the next step. */
    private void takeFinishedRestarts() {
        for (Slot s : slots) {
            if (s.restart != null && s.restart.isDone()) {
                StepResult first = awaitRestart(s);
                if (first != null) {
                    ByteBuffer[] fresh = new ByteBuffer[obs.length];
                    for (int o = 0; o < obs.length; o++) {
                        fresh[o] = ByteBuffer.allocate(s.k * obs[o].bytesPerEnv());
                    }
                    readInto(s.worker, first, s.k, fresh, 0, null);
                    s.pending = fresh;
                }
            }
        }
    }

    private static void throwFailureBetweenSteps(Slot s) {
        WorkerFailure f = s.failedBetweenSteps;
        if (f != null) {
            s.failedBetweenSteps = null;
            throw f;
        }
    }

    private void validate(Tensor actions) {
        Optional<String> problem = spec.actionSpace().validateBatch(actions, n);
        if (problem.isEmpty() && actions.hasNonFinite()) {
            problem = Optional.of("a value is NaN or infinite");
        }
        problem.ifPresent(p -> {
            throw new IllegalArgumentException("invalid actions for " + envId + ": " + p + " (action space "
                    + spec.actionSpace() + ", " + n + " envs); no env was stepped");
        });
    }

    private EnvRequest.Builder resetRequest(long seed) {
        return EnvRequest.newBuilder().setReset(Reset.newBuilder().setSeed(seed));
    }

    private EnvRequest.Builder stepRequest(ByteBuffer actions, Slot s) {
        io.worldgate.proto.env.v1.Tensor.Builder t = io.worldgate.proto.env.v1.Tensor.newBuilder()
                .setDtype(discrete ? io.worldgate.proto.env.v1.DType.DTYPE_INT32 : io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32)
                .addShape(s.k);
        for (int d : actionShape) {
            t.addShape(d);
        }
        t.setData(ByteString.copyFrom(actions.slice(s.offset * actionBytesPerEnv, s.k * actionBytesPerEnv)));
        return EnvRequest.newBuilder().setStep(Step.newBuilder().setActions(t));
    }

    /**
     * Waits for worker {@code index}'s answer, asked at {@code askedNanos}, for at most {@code limit},
     * and checks its status and that it carries the {@code expected} result.
     */
    private EnvResponse await(int index, PythonWorker w, CompletableFuture<EnvResponse> f, long askedNanos, Duration limit,
            String what, EnvResponse.ResultCase expected) {
        EnvResponse r;
        try {
            r = f.get(Math.max(0, askedNanos + limit.toNanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new WorkerFailure(WorkerFailure.Kind.TIMEOUT, "worker " + index + " (" + w + ") did not answer " + what
                    + " within " + limit.toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            WorkerFailure wf = e.getCause() instanceof WorkerFailure x ? x
                    : new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, String.valueOf(e.getCause()), "", e.getCause());
            throw new WorkerFailure(wf.kind(), "worker " + index + " (" + w + "): " + wf.getMessage() + exitNote(w),
                    wf.traceback(), wf);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvException("interrupted while waiting for " + envId, e);
        }
        Status st = r.getStatus();
        switch (st.getCode()) {
            case STATUS_CODE_OK -> {
                if (r.getResultCase() != expected) {
                    throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "worker " + index + " answered " + what + " without a result");
                }
                return r;
            }
            case STATUS_CODE_ENV_ERROR -> throw new WorkerFailure(WorkerFailure.Kind.ENV_ERROR, "worker " + index + " ("
                    + w + "): " + st.getMessage(), st.getTraceback(), null);
            case STATUS_CODE_INVALID_ARGUMENT -> throw new WorkerFailure(WorkerFailure.Kind.INVALID_ARGUMENT, st.getMessage());
            default -> throw new WorkerFailure(WorkerFailure.Kind.WORKER_ERROR, "worker " + index + " (" + w + ") answered "
                    + what + " with " + st.getCode() + ": " + st.getMessage(), st.getTraceback(), null);
        }
    }

    /** " (the process exited with status 137)" when a local worker is gone. */
    private static String exitNote(PythonWorker w) {
        WorkerProcess p = w == null ? null : w.process();
        if (p == null) {
            return "";
        }
        for (int i = 0; i < 20 && p.isAlive(); i++) {
            ProcessGroups.sleep(10);
        }
        return p.isAlive() ? "" : " (the process exited with status " + p.exitStatus() + ")";
    }

    // ------------------------------------------------------------------ supervision

    /** Counts a failure; throws when the env must give up (too many, or not mendable by a restart). */
    private void recordFailure(Slot s, WorkerFailure f) {
        String stderr = s.worker != null && s.worker.process() != null ? s.worker.process().stderrText(40) : "";
        try {
            supervisor.record(f, stderr);
        } catch (EnvWorkerException e) {
            broken = e;
            throw e;
        }
    }

    /** Kills the slot's worker and starts its replacement in the background, to be reset with {@code seed}. */
    private void replace(Slot s, long seed) {
        if (s.worker != null) {
            s.worker.kill();
            s.worker = null;
        }
        s.restarts++;
        s.restartSeed = seed;
        int index = s.index;
        s.restart = supervisor.restart(index, s.k, seed, w -> await(index, w, w.submit(resetRequest(seed)), System.nanoTime(),
                config.callTimeout(), "reset", EnvResponse.ResultCase.STEP).getStep());
    }

    /**
     * Takes in the slot's finished restart: its worker and first result; or, when it failed, counts
     * the failure, starts another and returns null.
     */
    private StepResult awaitRestart(Slot s) {
        WorkerSupervisor.Restarted r;
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
    private StepResult restartNow(Slot s) {
        while (true) {
            StepResult r = awaitRestart(s);
            if (r != null) {
                return r;
            }
        }
    }

    /**
     * A worker failed during a step: replace it in the background; its envs whose episode went on
     * report it cut (truncated, last observation), those whose episode had just ended wait.
     */
    private void fail(Slot s, WorkerFailure f, Out out) {
        recordFailure(s, f);
        replace(s, baseSeed + s.offset + (long) n * s.restarts + n);
        for (int j = 0; j < s.k; j++) {
            int i = s.offset + j;
            copyLastRow(i, out.buffers);
            if (last.isLast(i)) {
                out.isFirst[i] = true;
                out.waiting[i] = true;
            } else {
                out.truncated[i] = true;
                out.cut[i] = true;
            }
        }
    }

    /** The slot's worker is starting: its envs wait, holding their last observation. */
    private void hold(Slot s, Out out) {
        for (int j = 0; j < s.k; j++) {
            int i = s.offset + j;
            copyLastRow(i, out.buffers);
            out.isFirst[i] = true;
            out.waiting[i] = true;
        }
    }

    private void deliverPending(Slot s, Out out) {
        for (int j = 0; j < s.k; j++) {
            copyRow(s.pending, j, out.buffers, s.offset + j);
            out.isFirst[s.offset + j] = true;
        }
        s.pending = null;
    }

    private void copyRow(ByteBuffer[] from, int row, ByteBuffer[] to, int env) {
        for (int o = 0; o < obs.length; o++) {
            int b = obs[o].bytesPerEnv();
            to[o].put(env * b, from[o], row * b, b);
        }
    }

    private void copyLastRow(int env, ByteBuffer[] to) {
        for (int o = 0; o < obs.length; o++) {
            int b = obs[o].bytesPerEnv();
            ByteBuffer src = last.observations().get(obs[o].name()).buffer();
            to[o].put(env * b, src, env * b, b);
        }
    }

    // ------------------------------------------------------------------ results

    /** Per-call output: fresh observation tensors and per-env flags. */
    private final class Out {
        final Tensor[] tensors = new Tensor[obs.length];
        final ByteBuffer[] buffers = new ByteBuffer[obs.length];
        final float[] rewards = new float[n];
        final boolean[] terminated = new boolean[n];
        final boolean[] truncated = new boolean[n];
        final boolean[] isFirst = new boolean[n];
        final boolean[] cut = new boolean[n];
        final boolean[] waiting = new boolean[n];
        final Map<String, float[]> infos = new LinkedHashMap<>();

        Out() {
            for (int o = 0; o < obs.length; o++) {
                int[] shape = new int[obs[o].shape().length + 1];
                shape[0] = n;
                System.arraycopy(obs[o].shape(), 0, shape, 1, obs[o].shape().length);
                tensors[o] = Tensor.allocate(obs[o].dtype(), shape);
                buffers[o] = tensors[o].buffer();
            }
        }
    }

    /**
     * Copies a worker's result for its {@code k} envs into {@code dst} (one buffer per observation)
     * starting at env {@code at}, and its flags into {@code flags} when not null.
     */
    private void readInto(PythonWorker w, StepResult r, int k, ByteBuffer[] dst, int at, Out flags) {
        if (r.getRewardsCount() != k || r.getTerminatedCount() != k || r.getTruncatedCount() != k || r.getIsFirstCount() != k) {
            throw protocol(w, "a result for " + r.getRewardsCount() + " envs, expected " + k);
        }
        if (r.hasShm()) {
            ShmReader shm = w.shm();
            if (shm == null) {
                throw protocol(w, "a shared-memory reference, but it has no shm file");
            }
            int slot = r.getShm().getSlot();
            shm.check(slot, r.getShm().getGeneration());
            for (int o = 0; o < obs.length; o++) {
                int b = obs[o].bytesPerEnv();
                shm.copy(slot, o, 0, dst[o], at * b, k * b);
            }
        } else {
            if (r.getObservationsCount() != obs.length) {
                throw protocol(w, r.getObservationsCount() + " observations, the spec has " + obs.length);
            }
            for (int o = 0; o < obs.length; o++) {
                NamedTensor t = r.getObservations(o);
                int b = obs[o].bytesPerEnv();
                if (!t.getName().equals(obs[o].name()) || t.getTensor().getData().size() != k * b
                        || ProtoSpecs.dtype(t.getTensor().getDtype()) != obs[o].dtype()) {
                    throw protocol(w, "observation '" + t.getName() + "' of " + t.getTensor().getData().size() + " bytes ("
                            + t.getTensor().getDtype() + "), expected '" + obs[o].name() + "' of " + k * b + " bytes");
                }
                ByteBuffer target = dst[o].duplicate();
                target.position(at * b);
                t.getTensor().getData().copyTo(target);
            }
        }
        if (flags != null) {
            for (int j = 0; j < k; j++) {
                int i = at + j;
                flags.rewards[i] = (float) r.getRewards(j);
                flags.terminated[i] = r.getTerminated(j);
                flags.truncated[i] = r.getTruncated(j);
                flags.isFirst[i] = r.getIsFirst(j);
            }
            for (NamedTensor info : r.getInfosList()) {
                ByteBuffer data = info.getTensor().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (ProtoSpecs.dtype(info.getTensor().getDtype()) != DType.FLOAT32 || data.remaining() != 4 * k) {
                    throw protocol(w, "info '" + info.getName() + "' of " + data.remaining() + " bytes ("
                            + info.getTensor().getDtype() + "), expected " + k + " float32 values");
                }
                float[] values = flags.infos.computeIfAbsent(info.getName(), name -> new float[n]);
                for (int j = 0; j < k; j++) {
                    values[at + j] = data.getFloat(4 * j);
                }
            }
        }
    }

    private WorkerFailure protocol(PythonWorker w, String what) {
        return new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the worker " + w + " sent " + what);
    }

    private StepBatch finish(Out out) {
        for (int i = 0; i < n; i++) {
            if (out.isFirst[i]) {
                // an env that goes on waiting for its worker keeps the id of its stand-in episode
                if (!(out.waiting[i] && lastWaiting[i])) {
                    episodeIds[i] = nextEpisodeId++;
                }
                out.rewards[i] = 0;
            }
        }
        lastCut = out.cut;
        lastWaiting = out.waiting;
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int o = 0; o < obs.length; o++) {
            named.put(obs[o].name(), out.tensors[o]);
        }
        last = new StepBatch(NamedTensors.of(named), out.rewards, out.terminated, out.truncated, out.isFirst, episodeIds.clone());
        lastInfos = Collections.unmodifiableMap(out.infos);
        return last;
    }

    @Override
    public Map<String, float[]> lastInfos() {
        return lastInfos;
    }

    @Override
    public boolean cut(int env) {
        return lastCut[env];
    }

    @Override
    public boolean waiting(int env) {
        return lastWaiting[env];
    }

    @Override
    public long workerRestarts() {
        long sum = 0;
        for (Slot s : slots) {
            sum += s.restarts;
        }
        return sum;
    }

    private void ensureUsable() {
        if (closed) {
            throw new IllegalStateException(envId + " is closed");
        }
        if (broken != null) {
            throw broken;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        supervisor.close();
        List<PythonWorker> workers = new ArrayList<>();
        for (Slot s : slots) {
            if (s.restart != null) {
                // a worker that comes up later is killed then; the supervisor starts none after this
                s.restart.thenAccept(r -> r.worker().kill());
                try {
                    s.restart.get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // failed, or still starting: it kills what it started once it sees the env closed
                }
                s.restart = null;
            }
            if (s.worker != null) {
                workers.add(s.worker);
                s.worker = null;
            }
        }
        closeAll(workers);
    }

    @Override
    public String toString() {
        return "PythonVectorEnv[" + envId + " x" + n + " over " + slots.length + " workers " + Arrays.toString(restarts()) + "]";
    }
}
