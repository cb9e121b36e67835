package io.worldgate.gateway.service;

/** A run, checkpoint or plugin the request names does not exist. */
public class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
