package io.worldgate.api.agent;

/** A checkpoint exists but this agent cannot use it; the message says why. */
public class IncompatibleCheckpointException extends Exception {
    private static final long serialVersionUID = 1L;

    public IncompatibleCheckpointException(String message) {
        super(message);
    }
}
