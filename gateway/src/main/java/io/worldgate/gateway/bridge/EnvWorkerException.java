package io.worldgate.gateway.bridge;

/**
 * The Python workers of an environment failed too often (or in a way a restart cannot mend); the
 * environment gives up. The message names the env id and the last failure; {@link #pythonTraceback()}
 * carries the Python traceback (or, when the process died without one, the last lines of its stderr).
 */
public class EnvWorkerException extends EnvException {
    private static final long serialVersionUID = 1L;

    private final String envId;
    private final String pythonTraceback;

    public EnvWorkerException(String envId, String message, String pythonTraceback, Throwable cause) {
        super(message, cause);
        this.envId = envId;
        this.pythonTraceback = pythonTraceback == null ? "" : pythonTraceback;
    }

    /** The environment id. */
    public String envId() {
        return envId;
    }

    /** The Python traceback of the last failure, or its worker's last stderr lines; may be empty. */
    public String pythonTraceback() {
        return pythonTraceback;
    }
}
