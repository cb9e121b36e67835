package io.worldgate.api.agent;

/** A configuration value or key was rejected; the message says which, and what is allowed. */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
