package io.worldgate.gateway.bridge.internal.python;

/** Something went wrong with one worker; the supervisor decides whether to restart it. */
final class WorkerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure. */
    enum Kind {
        /** No response within the deadline: the worker hangs or is far too slow. */
        TIMEOUT,
        /** The connection broke: the process died or the network went away. */
        DISCONNECTED,
        /** The simulator raised (STATUS_CODE_ENV_ERROR); the traceback is set. */
        ENV_ERROR,
        /** The worker answered with another error status (INTERNAL, FAILED_PRECONDITION, ...). */
        WORKER_ERROR,
        /** The request was refused as invalid (INVALID_ARGUMENT): a caller bug, not restarted. */
        INVALID_ARGUMENT,
        /** The worker speaks another protocol or sent something unreadable: not restarted. */
        PROTOCOL
    }

    private final Kind kind;
    private final String traceback;

    WorkerFailure(Kind kind, String message, String traceback, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.traceback = traceback == null ? "" : traceback;
    }

    WorkerFailure(Kind kind, String message) {
        this(kind, message, "", null);
    }

    Kind kind() {
        return kind;
    }

    /** The Python traceback, or an empty string. */
    String traceback() {
        return traceback;
    }

    /** Whether restarting the worker may help. */
    boolean restartable() {
        return kind != Kind.INVALID_ARGUMENT && kind != Kind.PROTOCOL;
    }
}
