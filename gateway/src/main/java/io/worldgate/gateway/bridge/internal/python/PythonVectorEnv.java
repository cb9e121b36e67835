package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvWorkerException;
import io.worldgate.gateway.bridge.FrameRenderer;
import io.worldgate.gateway.bridge.StepInfos;
import io.worldgate.proto.env.v1.EnvResponse;
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
import java.util.concurrent.ExecutionException;
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
 * deadline), so the workers step in parallel ({@link WorkerProtocol} speaks to them). Observations
 * are copied into newly allocated tensors, from the shared-memory file or from the messages
 * ({@link ObservationLayout}). Episode ids are assigned here ({@link EpisodeIds}): a new id
 * whenever {@code isFirst}.
 *
 * <p>Supervision ({@link WorkerSupervisor}): a worker that dies, hangs past the step deadline
 * ({@link StepDeadline}: it follows the observed step times), or whose simulator raises is killed
 * and started again in the background, after a backoff that doubles with each failure in the
 * window ({@link RestartPolicy}), and reset with a fresh seed. The other workers' envs go on stepping meanwhile. The
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

    private final String envId;
    private final BridgeConfig config;
    private final WorkerStarter starter;
    private final WorkerSlot[] slots;
    private final io.worldgate.proto.env.v1.EnvSpec protoSpec;
    private final EnvSpec spec;
    private final ObservationLayout layout;
    private final int n;
    private final WorkerProtocol protocol;
    private final EpisodeIds episodes;
    private final WorkerSupervisor supervisor;
    private final StepDeadline stepDeadline;
    private long baseSeed;
    private boolean resetDone;
    private boolean closed;
    private EnvException broken;
    private StepBatch last;
    private Map<String, float[]> lastInfos = Map.of();
    /** Why drawing failed, once it has; frames are not asked for again. */
    private String renderFailure;

    private PythonVectorEnv(String requestedId, BridgeConfig config, WorkerStarter starter, List<WorkerSlot> slots,
            List<PythonWorker> workers) {
        this.config = config;
        this.starter = starter;
        this.slots = slots.toArray(new WorkerSlot[0]);
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
        for (WorkerSlot s : this.slots) {
            total += s.k;
        }
        this.n = total;
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bridge.transport", workers.get(0).shm() == null ? (starter.remote() ? "grpc (remote)" : "grpc")
                : config.transport().label());
        props.put("bridge.workers", Integer.toString(this.slots.length));
        this.spec = ProtoSpecs.toApi(protoSpec, n, props);
        this.layout = ObservationLayout.of(protoSpec, n);
        this.protocol = new WorkerProtocol(envId, spec.actionSpace());
        this.episodes = new EpisodeIds(n);
        this.supervisor = new WorkerSupervisor(envId, config, starter, protoSpec, protocol);
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
        List<PythonWorker> workers = starter.startAll(ks);
        List<WorkerSlot> slots = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < w; i++) {
            int k = workers.get(i).spec().getNumEnvs();
            slots.add(new WorkerSlot(i, offset, k));
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
            PythonWorker.closeAll(workers, CLOSE_GRACE);
            throw e;
        }
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    /** The pids of the current workers, in order (for tests and diagnostics). */
    public List<Long> workerPids() {
        List<Long> out = new ArrayList<>();
        for (WorkerSlot s : slots) {
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
        } catch (EnvWorkerException e) {
            broken = e; // the supervisor gave up
            throw e;
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
        } catch (EnvWorkerException e) {
            broken = e; // the supervisor gave up
            throw e;
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
        WorkerSlot s = slotOf(envIndex);
        if (closed || broken != null || !resetDone || renderFailure != null || s.worker == null || s.failedBetweenSteps != null
                || !s.worker.canRender()) {
            return Optional.empty();
        }
        if (s.pending != null || episodes.waiting(envIndex)) {
            // a restarted worker's env already shows its new episode while the batch still reports the cut one's end
            return Optional.empty();
        }
        try {
            CompletableFuture<EnvResponse> f = s.worker.submit(WorkerProtocol.renderRequest(envIndex - s.offset));
            EnvResponse r = protocol.await(s.index, s.worker, f, System.nanoTime(), config.callTimeout(), "render",
                    EnvResponse.ResultCase.RENDER);
            return Optional.of(WorkerProtocol.frame(s.worker, r.getRender().getImage()));
        } catch (WorkerFailure f) {
            if (f.kind() == WorkerFailure.Kind.TIMEOUT || f.kind() == WorkerFailure.Kind.DISCONNECTED) {
                s.failedBetweenSteps = f;
            }
            renderFailure = f.getMessage();
            LOG.warn("{}: cannot draw env {}, so no more frames are asked for: {}", envId, envIndex, renderFailure);
            return Optional.empty();
        }
    }

    private WorkerSlot slotOf(int envIndex) {
        for (WorkerSlot s : slots) {
            if (s.hosts(envIndex)) {
                return s;
            }
        }
        throw new IllegalStateException("no worker hosts env " + envIndex);
    }

    /** A failure no restart can mend (a worker breaking the protocol): the env is broken from now on. */
    private EnvWorkerException giveUp(WorkerFailure f) {
        broken = new EnvWorkerException(envId, "environment " + envId + ": " + f.getMessage(), f.traceback(), f);
        return (EnvWorkerException) broken;
    }

    private StepBatch doReset(long seed) {
        baseSeed = seed;
        BatchBuilder out = new BatchBuilder(layout);
        for (WorkerSlot s : slots) {
            if (s.restart != null) {
                supervisor.restartNow(s); // its first observations are dropped: the reset below seeds it anew
            }
            s.pending = null;
        }
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        for (WorkerSlot s : slots) {
            futures.add(s.failedBetweenSteps != null ? null : s.worker.submit(WorkerProtocol.resetRequest(seed + s.offset)));
        }
        long start = System.nanoTime();
        for (WorkerSlot s : slots) {
            try {
                s.throwFailureBetweenSteps();
                StepResult r = protocol.await(s.index, s.worker, futures.get(s.index), start, config.callTimeout(), "reset",
                        EnvResponse.ResultCase.STEP).getStep();
                layout.readInto(s.worker, r, s.k, out.buffers, s.offset, out);
            } catch (WorkerFailure f) {
                supervisor.recordFailure(s, f);
                supervisor.replace(s, seed + s.offset);
                StepResult first = supervisor.restartNow(s); // sets s.worker, which reads the result's shared memory
                layout.readInto(s.worker, first, s.k, out.buffers, s.offset, out);
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
        BatchBuilder out = new BatchBuilder(layout);
        ByteBuffer all = actions.buffer();
        List<CompletableFuture<EnvResponse>> futures = new ArrayList<>();
        for (WorkerSlot s : slots) {
            futures.add(s.askable() ? s.worker.submit(protocol.stepRequest(all, s.offset, s.k)) : null);
        }
        long start = System.nanoTime();
        Duration limit = stepDeadline.current();
        // Only a step every asked worker answered in time tells how long steps take.
        boolean timed = futures.stream().anyMatch(f -> f != null);
        for (WorkerSlot s : slots) {
            if (s.restart != null) {
                hold(s, out);
                continue;
            }
            if (s.pending != null) {
                deliverPending(s, out);
                continue;
            }
            try {
                s.throwFailureBetweenSteps();
                StepResult r = protocol.await(s.index, s.worker, futures.get(s.index), start, limit, "step",
                        EnvResponse.ResultCase.STEP).getStep();
                layout.readInto(s.worker, r, s.k, out.buffers, s.offset, out);
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
        for (WorkerSlot s : slots) {
            if (s.restart != null && s.restart.isDone()) {
                StepResult first = supervisor.awaitRestart(s);
                if (first != null) {
                    ByteBuffer[] fresh = layout.allocateRows(s.k);
                    layout.readInto(s.worker, first, s.k, fresh, 0, null);
                    s.pending = fresh;
                }
            }
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

    // ------------------------------------------------------------------ stand-in rows

    /**
     * A worker failed during a step: replace it in the background; its envs whose episode went on
     * report it cut (truncated, last observation), those whose episode had just ended wait.
     */
    private void fail(WorkerSlot s, WorkerFailure f, BatchBuilder out) {
        supervisor.recordFailure(s, f);
        supervisor.replace(s, baseSeed + s.offset + (long) n * s.restarts + n);
        for (int j = 0; j < s.k; j++) {
            int i = s.offset + j;
            layout.copyRow(last, i, out.buffers);
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
    private void hold(WorkerSlot s, BatchBuilder out) {
        for (int j = 0; j < s.k; j++) {
            int i = s.offset + j;
            layout.copyRow(last, i, out.buffers);
            out.isFirst[i] = true;
            out.waiting[i] = true;
        }
    }

    private void deliverPending(WorkerSlot s, BatchBuilder out) {
        for (int j = 0; j < s.k; j++) {
            layout.copyRow(s.pending, j, out.buffers, s.offset + j);
            out.isFirst[s.offset + j] = true;
        }
        s.pending = null;
    }

    private StepBatch finish(BatchBuilder out) {
        last = episodes.label(out);
        lastInfos = Collections.unmodifiableMap(out.infos);
        return last;
    }

    @Override
    public Map<String, float[]> lastInfos() {
        return lastInfos;
    }

    @Override
    public boolean cut(int env) {
        return episodes.cut(env);
    }

    @Override
    public boolean waiting(int env) {
        return episodes.waiting(env);
    }

    @Override
    public long workerRestarts() {
        long sum = 0;
        for (WorkerSlot s : slots) {
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
        for (WorkerSlot s : slots) {
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
        PythonWorker.closeAll(workers, CLOSE_GRACE);
    }

    @Override
    public String toString() {
        return "PythonVectorEnv[" + envId + " x" + n + " over " + slots.length + " workers " + Arrays.toString(restarts()) + "]";
    }
}
