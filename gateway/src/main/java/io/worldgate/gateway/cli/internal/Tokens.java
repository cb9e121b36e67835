package io.worldgate.gateway.cli.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * The bearer token a user gives the CLI, never on the command line where {@code ps} shows it:
 * {@code --token-file FILE}, else the environment variable {@value #ENV}. The token of a service
 * of the same user on this machine needs neither: it is in the service's discovery file.
 */
public final class Tokens {
    /** The environment variable holding the token. */
    public static final String ENV = "WORLDGATE_TOKEN";

    private Tokens() {}

    /**
     * The token the user gave, or null for none.
     *
     * @param commandLineToken the deprecated {@code --token}, still honoured (after a warning)
     * @throws IllegalArgumentException if the token file cannot be read or is empty
     */
    public static String given(Path tokenFile, String commandLineToken, Map<String, String> env) {
        if (tokenFile != null) {
            String token;
            try {
                token = Files.readString(tokenFile).strip();
                if (isReadableByOthers(tokenFile)) {
                    System.err.println("warning: token file " + tokenFile + " is readable by other users; chmod 600 it");
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the token file " + tokenFile + ": " + e.getMessage());
            }
            if (token.isEmpty()) {
                throw new IllegalArgumentException("the token file " + tokenFile + " is empty");
            }
            return token;
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        if (commandLineToken != null) {
            System.err.println("warning: --token is deprecated: other users see it in the process list;"
                    + " use --token-file FILE or " + ENV);
            return commandLineToken;
        }
        return null;
    }

    private static boolean isReadableByOthers(Path file) throws IOException {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }
}
