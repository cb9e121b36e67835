package io.worldgate.gateway.host;

/** The plugin host could not do what was asked. */
public class HostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }

    public HostException(String message) {
        super(message);
    }
}
