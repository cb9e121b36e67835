package io.worldgate.gateway.bridge;

/** An environment could not be created or stepped; the message is meant for the user. */
public class EnvException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EnvException(String message) {
        super(message);
    }

    public EnvException(String message, Throwable cause) {
        super(message, cause);
    }
}
