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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
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
 * <p>Supervision: a worker that dies, hangs past the deadline, or whose simulator raises is
 * killed and started again after a backoff that doubles with each failure in the window; its envs
 * are reset (with a fresh seed), the episodes it cut are reported as {@code truncated} with their
 * last observation, and the next step reports the new episodes' first observations with
 * {@code isFirst}, following the auto-reset rule. After {@code maxFailures} failures within
 * {@code failureWindow} the env gives up with an {@link EnvWorkerException} that names the env and
 * carries the Python traceback.
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
        /** First observations of a restarted worker, delivered with isFirst at the next step. */
        ByteBuffer[] pending;
        /** After a restart that found some envs already ended: envs to report as first at the next step. */
        boolean[] firstMask;
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
    private final Deque<Long> failureTimes = new ArrayDeque<>();
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
        if (s.pending != null || s.firstMask != null && s.firstMask[envIndex - s.offset]) {
            // a restarted worker's env already shows its new episode while the batch still reports the cut one's end
            return Optional.empty();
        }
        try {
            CompletableFuture<EnvResponse> f = s.worker.submit(EnvRequest.newBuilder()
                    .setRender(Render.newBuilder().setEnvIndex(envIndex - s.offset)));
            EnvResponse r = await(s, f, System.nanoTime() + config.callTimeout().toNanos(), "render",
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
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        long deadline = System.nanoTime() + config.callTimeout().toNanos();
        for (Slot s : slots) {
            s.pending = null;
            s.firstMask = null;
            futures.add(s.failedBetweenSteps != null ? null : s.worker.submit(resetRequest(seed + s.offset)));
        }
        for (Slot s : slots) {
            try {
                throwFailureBetweenSteps(s);
                StepResult r = await(s, futures.get(s.index), deadline, "reset", EnvResponse.ResultCase.STEP).getStep();
                readInto(s.worker, r, s.k, out.buffers, s.offset, out);
            } catch (WorkerFailure f) {
                recordFailure(s, f);
                readInto(s.worker, restartAndReset(s, seed + s.offset, f), s.k, out.buffers, s.offset, out);
            }
        }
        resetDone = true;
        return finish(out);
    }

    private StepBatch doStep(Tensor actions) {
        Out out = new Out();
        ByteBuffer all = actions.buffer();
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        long deadline = System.nanoTime() + config.callTimeout().toNanos();
        for (Slot s : slots) {
            futures.add(s.pending != null || s.failedBetweenSteps != null ? null : s.worker.submit(stepRequest(all, s)));
        }
        for (Slot s : slots) {
            if (s.pending != null) {
                deliverPending(s, out);
                continue;
            }
            try {
                throwFailureBetweenSteps(s);
                StepResult r = await(s, futures.get(s.index), deadline, "step", EnvResponse.ResultCase.STEP).getStep();
                readInto(s.worker, r, s.k, out.buffers, s.offset, out);
                if (s.firstMask != null) {
                    for (int j = 0; j < s.k; j++) {
                        if (s.firstMask[j]) {
                            int i = s.offset + j;
                            out.isFirst[i] = true;
                            out.rewards[i] = 0;
                            out.terminated[i] = false;
                            out.truncated[i] = false;
                        }
                    }
                    s.firstMask = null;
                }
            } catch (WorkerFailure f) {
                recover(s, f, out);
            }
        }
        return finish(out);
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

    /** Waits for one worker's answer and checks its status and that it carries the {@code expected} result. */
    private EnvResponse await(Slot s, CompletableFuture<EnvResponse> f, long deadlineNanos, String what,
            EnvResponse.ResultCase expected) {
        EnvResponse r;
        try {
            r = f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new WorkerFailure(WorkerFailure.Kind.TIMEOUT, "worker " + s.index + " (" + s.worker + ") did not answer " + what
                    + " within " + config.callTimeout().toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            WorkerFailure wf = e.getCause() instanceof WorkerFailure x ? x
                    : new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, String.valueOf(e.getCause()), "", e.getCause());
            throw new WorkerFailure(wf.kind(), "worker " + s.index + " (" + s.worker + "): " + wf.getMessage() + exitNote(s),
                    wf.traceback(), wf);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvException("interrupted while waiting for " + envId, e);
        }
        Status st = r.getStatus();
        switch (st.getCode()) {
            case STATUS_CODE_OK -> {
                if (r.getResultCase() != expected) {
                    throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "worker " + s.index + " answered " + what + " without a result");
                }
                return r;
            }
            case STATUS_CODE_ENV_ERROR -> throw new WorkerFailure(WorkerFailure.Kind.ENV_ERROR, "worker " + s.index + " ("
                    + s.worker + "): " + st.getMessage(), st.getTraceback(), null);
            case STATUS_CODE_INVALID_ARGUMENT -> throw new WorkerFailure(WorkerFailure.Kind.INVALID_ARGUMENT, st.getMessage());
            default -> throw new WorkerFailure(WorkerFailure.Kind.WORKER_ERROR, "worker " + s.index + " (" + s.worker + ") answered "
                    + what + " with " + st.getCode() + ": " + st.getMessage(), st.getTraceback(), null);
        }
    }

    /** " (the process exited with status 137)" when a local worker is gone. */
    private static String exitNote(Slot s) {
        WorkerProcess p = s.worker == null ? null : s.worker.process();
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
        String traceback = f.traceback().isEmpty() && s.worker != null && s.worker.process() != null
                ? s.worker.process().stderrText(40) : f.traceback();
        if (!f.restartable()) {
            broken = new EnvWorkerException(envId, "environment " + envId + ": " + f.getMessage(), traceback, f);
            throw broken;
        }
        if (failureTimes.size() >= config.maxFailures()) {
            String window = config.failureWindow().toMillis() % 1000 == 0 ? config.failureWindow().toSeconds() + " s"
                    : config.failureWindow().toMillis() + " ms";
            String msg = "environment " + envId + ": the Python workers failed " + failureTimes.size() + " times within " + window
                    + "; giving up. Last failure: " + f.getMessage()
                    + (traceback.isEmpty() ? "" : "\nPython traceback" + (f.traceback().isEmpty() ? " (stderr)" : "") + ":\n"
                            + traceback.stripTrailing());
            broken = new EnvWorkerException(envId, msg, traceback, f);
            throw broken;
        }
        LOG.warn("{}: {} (failure {} within {} s; the env gives up at {}); restarting the worker", envId, f.getMessage(),
                failureTimes.size(), config.failureWindow().toSeconds(), config.maxFailures());
    }

    private long backoffMillis() {
        long base = Math.max(0, config.backoffInitial().toMillis());
        int exp = Math.min(20, Math.max(0, failureTimes.size() - 1));
        return Math.min(config.backoffMax().toMillis(), base << exp);
    }

    /** Kills the slot's worker, waits the backoff, starts a new one and resets it; retries until it works or the env gives up. */
    private StepResult restartAndReset(Slot s, long seed, WorkerFailure cause) {
        while (true) {
            if (s.worker != null) {
                s.worker.kill();
                s.worker = null;
            }
            ProcessGroups.sleep(backoffMillis());
            PythonWorker w = null;
            try {
                w = starter.start(s.index, s.k, seed);
                String diff = ProtoSpecs.difference(protoSpec, w.spec());
                if (diff != null) {
                    throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the restarted worker " + s.index + " hosts another env: " + diff);
                }
                s.worker = w;
                s.restarts++;
                EnvResponse r = await(s, w.submit(resetRequest(seed)), System.nanoTime() + config.callTimeout().toNanos(), "reset",
                        EnvResponse.ResultCase.STEP);
                LOG.info("{}: worker {} restarted ({}), envs {}..{} reset with seed {}", envId, s.index, w, s.offset,
                        s.offset + s.k - 1, seed);
                return r.getStep();
            } catch (WorkerFailure f) {
                if (s.worker == null && w != null) {
                    s.worker = w;
                }
                recordFailure(s, f);
            } catch (EnvException e) {
                if (e instanceof EnvWorkerException || ProcessGroups.shuttingDown()) {
                    throw e;
                }
                recordFailure(s, new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "restarting worker " + s.index + " failed: "
                        + e.getMessage(), "", e));
            }
        }
    }

    /** A worker failed during a step: restart it and report its envs' episodes as cut. */
    private void recover(Slot s, WorkerFailure f, Out out) {
        recordFailure(s, f);
        long seed = baseSeed + s.offset + (long) n * (s.restarts + 1);
        StepResult r = restartAndReset(s, seed, f);
        ByteBuffer[] fresh = new ByteBuffer[obs.length];
        for (int o = 0; o < obs.length; o++) {
            fresh[o] = ByteBuffer.allocate(s.k * obs[o].bytesPerEnv());
        }
        readInto(s.worker, r, s.k, fresh, 0, null);
        int ended = 0;
        boolean[] cut = new boolean[s.k];
        for (int j = 0; j < s.k; j++) {
            int i = s.offset + j;
            boolean wasLast = last != null && last.isLast(i);
            if (wasLast) {
                ended++;
                copyRow(fresh, j, out.buffers, i);
                out.isFirst[i] = true;
            } else {
                cut[j] = true;
                copyLastRow(i, out.buffers);
                out.truncated[i] = true;
            }
        }
        if (ended == 0) {
            s.pending = fresh;
        } else if (ended < s.k) {
            // Some envs had just ended and start over now; the cut ones report their first
            // observation after the worker's next real step.
            s.firstMask = cut;
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
                episodeIds[i] = nextEpisodeId++;
                out.rewards[i] = 0;
            }
        }
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
        List<PythonWorker> workers = new ArrayList<>();
        for (Slot s : slots) {
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
