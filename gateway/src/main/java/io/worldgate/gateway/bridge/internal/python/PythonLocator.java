package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.gateway.bridge.EnvException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the Python interpreter that runs env workers: {@code -Dworldgate.python}, then the
 * environment variable {@code WORLDGATE_PYTHON}, then {@code .venv/bin/python} under the working
 * directory (or one of its parents, so that a test run from {@code gateway/} finds the repository's
 * venv).
 */
public final class PythonLocator {
    /** System property naming the interpreter. */
    public static final String PROPERTY = "worldgate.python";
    /** Environment variable naming the interpreter. */
    public static final String ENV = "WORLDGATE_PYTHON";

    static final String INSTALL_HINT = "create it with env-bridge-python/install.sh (./worldgate test and ./worldgate demo "
            + "run it), or point " + ENV + " (or -D" + PROPERTY + ") at a Python 3.11 with worldgate_envs installed";

    private PythonLocator() {}

    /** The interpreter to use; {@code configured} wins when not null. */
    public static Path locate(Path configured) {
        if (configured != null) {
            return requireExecutable(configured, "the configured Python");
        }
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return requireExecutable(Path.of(prop), "-D" + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return requireExecutable(Path.of(env), ENV);
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path first = cwd.resolve(".venv/bin/python");
        for (Path dir = cwd; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".venv/bin/python");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            if (Files.isDirectory(dir.resolve(".git"))) {
                break; // do not wander out of the repository
            }
        }
        throw new EnvException("no Python for the env bridge: " + first + " does not exist (and neither -D" + PROPERTY
                + " nor " + ENV + " is set); " + INSTALL_HINT);
    }

    private static Path requireExecutable(Path p, String source) {
        if (!Files.exists(p)) {
            throw new EnvException("no Python for the env bridge: " + p + " (from " + source + ") does not exist; " + INSTALL_HINT);
        }
        if (!Files.isExecutable(p)) {
            throw new EnvException("the Python for the env bridge, " + p + " (from " + source + "), is not executable; "
                    + INSTALL_HINT);
        }
        return p;
    }
}
