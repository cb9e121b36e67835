package io.worldgate.gateway.bridge.internal.python;

import com.google.protobuf.InvalidProtocolBufferException;
import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.HandshakeResponse;
import io.worldgate.proto.env.v1.Status;
import io.worldgate.proto.env.v1.StatusCode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Transport {@code shm}, for workers on this host: Handshake and Describe over gRPC, then the
 * session over the worker's doorbell socket ({@link Doorbell}): a step writes its actions into the
 * step channel ({@link StepChannel}), rings, and reads the results back from it when the worker
 * rings back; observations come through the observation file as with {@code grpc-shm}. Other
 * requests, and a step the worker refused, travel as protobuf frames on the same socket. Failures
 * keep their gRPC meaning: no answer by the deadline is the caller's TIMEOUT, an end of file is
 * DISCONNECTED; after either the connection stays broken (a late answer would be out of step).
 *
 * <p>Each step is counted in the step channel's {@code request_seq}; the worker stores it in
 * {@code answer_seq} once the results are in. The thread waiting for a step's answer watches
 * that counter for a while before sleeping on the socket ({@link AdaptiveSpin}), but only while
 * a core is left for it: with as many steps in flight on this host as cores, the workers need
 * them all.
 */
final class ShmConnection implements WorkerConnection {
    /** Steps sent over the step channels of this JVM and not yet answered: workers busy on this host. */
    private static final AtomicInteger STEPS_IN_FLIGHT = new AtomicInteger();
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final GrpcConnection control;
    private final Path stepFile;
    private final Path socket;
    private final AdaptiveSpin spin;
    /** Whether this connection's step counts in {@link #STEPS_IN_FLIGHT}: until its answer is read, or the connection closes. */
    private final AtomicBoolean stepInFlight = new AtomicBoolean();
    private StepChannel channel;
    private Doorbell bell;
    private volatile WorkerFailure broken;
    /** The last answer asked for; a request sent before it was read would read it as its own. */
    private DoorbellReply last;

    /** @param spinMicros the longest the gateway watches the step channel for an answer (0: never) */
    ShmConnection(GrpcConnection control, Path stepFile, Path socket, long spinMicros) {
        this.control = control;
        this.stepFile = stepFile;
        this.socket = socket;
        this.spin = new AdaptiveSpin(spinMicros);
    }

    @Override
    public HandshakeResponse handshake(Duration timeout) {
        HandshakeResponse r = control.handshake(timeout);
        if (!r.getCapabilitiesList().contains("step-shm")) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the env worker at " + address()
                    + " has no step channel (capability step-shm); use a worldgate_envs of the same release as the gateway");
        }
        return r;
    }

    @Override
    public EnvSpec describe(Duration timeout) {
        EnvSpec spec = control.describe(timeout);
        try {
            channel = new StepChannel(stepFile, StepChannelLayout.of(spec, spec.getNumEnvs()), spec.getInfoKeysList());
        } catch (IOException e) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "cannot map the step channel of the env worker at " + address()
                    + ": " + e.getMessage(), "", e);
        }
        return spec;
    }

    @Override
    public void openSession() {
        try {
            bell = new Doorbell(socket);
        } catch (IOException e) {
            throw new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "cannot connect to the doorbell " + socket + " of the env worker at "
                    + control.address() + ": " + e, "", e);
        }
    }

    @Override
    public CompletableFuture<EnvResponse> submit(EnvRequest request) {
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        if (bell == null) {
            throw new IllegalStateException("no session open");
        }
        if (last != null && !last.isDone()) {
            return CompletableFuture.failedFuture(fail(WorkerFailure.Kind.DISCONNECTED, "the env worker at " + address()
                    + " was asked again before its last answer was read; the session is out of step", null));
        }
        boolean fast = request.hasStep() && request.getStep().getActions().getData().size() == channel.actionBytes();
        long seq = 0;
        try {
            if (fast) {
                channel.writeActions(request.getStep().getActions().getData());
                seq = channel.publishNextRequest();
                bell.ring(); // also when the worker watches the counter: it may be asleep by now
            } else {
                bell.send(request.toByteArray()); // the worker answers a malformed step as over gRPC
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(fail(WorkerFailure.Kind.DISCONNECTED, "cannot send to the env worker at " + address() + ": " + e, e));
        }
        if (fast && stepInFlight.compareAndSet(false, true)) {
            STEPS_IN_FLIGHT.incrementAndGet();
        }
        long step = seq;
        last = new DoorbellReply(deadline -> {
            try {
                return read(request.getRequestId(), step, deadline);
            } finally {
                landed();
            }
        });
        return last;
    }

    /** Reads the answer to the request sent; {@code seq} is its step count, 0 for a frame. */
    private EnvResponse read(long requestId, long seq, long deadlineNanos) throws TimeoutException, InterruptedException {
        if (broken != null) {
            throw broken;
        }
        try {
            if (seq > 0 && STEPS_IN_FLIGHT.get() < CORES && spin.spin(() -> channel.answeredSeq() == seq, deadlineNanos)) {
                spin.done();
                bell.owe();
                return stepResult(requestId);
            }
            byte b = bell.answer(deadlineNanos);
            spin.done();
            if (b == Doorbell.STEP && seq > 0) {
                return stepResult(requestId);
            }
            if (b != Doorbell.FRAME) {
                throw fail(WorkerFailure.Kind.PROTOCOL, "the env worker at " + address() + " rang " + (char) b + " out of turn", null);
            }
            return EnvResponse.parseFrom(bell.frame(deadlineNanos));
        } catch (TimeoutException e) {
            fail(WorkerFailure.Kind.DISCONNECTED, "the env worker at " + address() + " did not answer in time", null);
            throw e;
        } catch (InvalidProtocolBufferException e) {
            throw fail(WorkerFailure.Kind.PROTOCOL, "the env worker at " + address() + " sent an unreadable frame: " + e.getMessage(), e);
        } catch (IOException e) {
            throw fail(WorkerFailure.Kind.DISCONNECTED, "the session with the env worker at " + address() + " broke: " + e.getMessage(), e);
        }
    }

    private void landed() {
        if (stepInFlight.compareAndSet(true, false)) {
            STEPS_IN_FLIGHT.decrementAndGet();
        }
    }

    private EnvResponse stepResult(long requestId) {
        return EnvResponse.newBuilder().setRequestId(requestId).setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_OK))
                .setStep(channel.readResult()).build();
    }

    private WorkerFailure fail(WorkerFailure.Kind kind, String message, Throwable cause) {
        WorkerFailure f = new WorkerFailure(kind, message, "", cause);
        if (broken == null) {
            broken = f;
        }
        return f;
    }

    @Override
    public String address() {
        return control.address();
    }

    @Override
    public void close() {
        if (broken == null) {
            broken = new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "the connection to " + address() + " was closed");
        }
        landed();
        if (bell != null) {
            bell.close();
        }
        control.close();
    }
}
