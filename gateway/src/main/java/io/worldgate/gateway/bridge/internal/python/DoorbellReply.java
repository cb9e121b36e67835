package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.proto.env.v1.EnvResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The answer to a request sent over the doorbell, read by the thread that waits for it: a reader
 * thread that completed the future would add a thread hand-off (tens of microseconds) to every
 * step. So the socket is read inside {@link #get(long, TimeUnit)} (and {@link #get()}), with the
 * caller's deadline; the other ways of using a future see it complete only after that.
 */
final class DoorbellReply extends CompletableFuture<EnvResponse> {
    /** Reads the answer, or throws: TimeoutException at the deadline, WorkerFailure when the worker is gone. */
    interface Reader {
        EnvResponse read(long deadlineNanos) throws TimeoutException, InterruptedException;
    }

    private final Reader reader;

    DoorbellReply(Reader reader) {
        this.reader = reader;
    }

    @Override
    public EnvResponse get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            try {
                complete(reader.read(deadline));
            } catch (WorkerFailure f) {
                completeExceptionally(f);
            }
        }
        return super.get(0, TimeUnit.NANOSECONDS);
    }

    @Override
    public EnvResponse get() throws InterruptedException, ExecutionException {
        try {
            return get(Long.MAX_VALUE / 4, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("unreachable: no deadline", e);
        }
    }
}
