package io.worldgate.gateway.bridge;

import java.util.List;

/**
 * A run asked for a remote env worker ({@code bridge.env_workers}) that the gateway's own
 * configuration does not allow. Connecting wherever a request says would let a client make the
 * gateway reach any host and port it can reach.
 */
public final class EnvWorkerNotAllowedException extends EnvException {
    private static final long serialVersionUID = 1L;
    private final String address;

    public EnvWorkerNotAllowedException(String address, List<String> allowed) {
        super("env worker " + clip(address) + " is not allowed by this gateway; "
                + (allowed.isEmpty() ? "it allows none" : "it allows " + String.join(", ", allowed))
                + " (start it with 'serve --allow-env-worker HOST:PORT', or run 'train --env-worker' in-process)");
        this.address = address;
    }

    private static String clip(String s) {
        return s.length() <= 100 ? "'" + s + "'" : "'" + s.substring(0, 100) + "...' (" + s.length() + " characters)";
    }

    /** The address that was refused. */
    public String address() {
        return address;
    }
}
