package io.worldgate.gateway.bridge.internal.python;

import com.google.protobuf.ByteString;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.Render;
import io.worldgate.proto.env.v1.Reset;
import io.worldgate.proto.env.v1.Status;
import io.worldgate.proto.env.v1.Step;
import io.worldgate.proto.env.v1.StepResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reset, step and render requests of one vectorized env to its workers, and the reading of the
 * answers: every way an answer can go wrong (late, lost, an error status, the wrong result) becomes
 * a {@link WorkerFailure} of its kind, for the supervisor to judge.
 */
final class WorkerProtocol {
    private final String envId;
    private final boolean discrete;
    private final int[] actionShape;
    private final int actionBytesPerEnv;

    WorkerProtocol(String envId, Space actionSpace) {
        this.envId = envId;
        this.discrete = actionSpace instanceof DiscreteSpace;
        this.actionShape = discrete ? new int[0] : ((BoxSpace) actionSpace).shape();
        this.actionBytesPerEnv = discrete ? 4 : Math.toIntExact(Tensor.numElements(actionShape) * 4);
    }

    static EnvRequest.Builder resetRequest(long seed) {
        return EnvRequest.newBuilder().setReset(Reset.newBuilder().setSeed(seed));
    }

    /** The step of envs {@code offset .. offset + k - 1}: their slice of the whole batch's actions. */
    EnvRequest.Builder stepRequest(ByteBuffer actions, int offset, int k) {
        io.worldgate.proto.env.v1.Tensor.Builder t = io.worldgate.proto.env.v1.Tensor.newBuilder()
                .setDtype(discrete ? io.worldgate.proto.env.v1.DType.DTYPE_INT32 : io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32)
                .addShape(k);
        for (int d : actionShape) {
            t.addShape(d);
        }
        t.setData(ByteString.copyFrom(actions.slice(offset * actionBytesPerEnv, k * actionBytesPerEnv)));
        return EnvRequest.newBuilder().setStep(Step.newBuilder().setActions(t));
    }

    static EnvRequest.Builder renderRequest(int workerEnvIndex) {
        return EnvRequest.newBuilder().setRender(Render.newBuilder().setEnvIndex(workerEnvIndex));
    }

    /** Resets worker {@code index} with {@code seed} and waits at most {@code limit} for its first result. */
    StepResult resetNow(int index, PythonWorker w, long seed, Duration limit) {
        return await(index, w, w.submit(resetRequest(seed)), System.nanoTime(), limit, "reset", EnvResponse.ResultCase.STEP)
                .getStep();
    }

    /**
     * Waits for worker {@code index}'s answer, asked at {@code askedNanos}, for at most {@code limit},
     * and checks its status and that it carries the {@code expected} result.
     */
    EnvResponse await(int index, PythonWorker w, CompletableFuture<EnvResponse> f, long askedNanos, Duration limit,
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

    /** A rendered frame, checked to be uint8 {@code [H, W, 3]}, copied out of the message. */
    static Tensor frame(PythonWorker w, io.worldgate.proto.env.v1.Tensor image) {
        int[] shape = ProtoSpecs.shape(image.getShapeList());
        if (ProtoSpecs.dtype(image.getDtype()) != DType.UINT8 || shape.length != 3 || shape[2] != 3
                || image.getData().size() != Tensor.numElements(shape)) {
            throw violation(w, "a frame of " + image.getData().size() + " bytes (" + image.getDtype() + " " + Arrays.toString(shape)
                    + "), expected uint8 [H, W, 3]");
        }
        Tensor t = Tensor.allocate(DType.UINT8, shape);
        image.getData().copyTo(t.buffer().duplicate());
        return t;
    }

    /** The worker sent {@code what}, which the protocol does not allow. */
    static WorkerFailure violation(PythonWorker w, String what) {
        return new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the worker " + w + " sent " + what);
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
}
