package io.worldgate.gateway.bridge.internal.python;

/**
 * The Python entry point of {@code python -m worldgate_envs py4j-serve}, as Java calls it through
 * Py4J. Every String result is JSON with a {@code status}; observations travel through the
 * shared-memory file, never through Py4J.
 */
public interface PythonEnvWorker {
    /** {@code {"status", "protocol", "capabilities", "pid", "worker_version"}}. */
    String handshake();

    /** {@code {"status", "spec": {... "num_envs", "seed", "shm"}}}. */
    String describe();

    /** Resets every env; {@code seed < 0} keeps the random streams. */
    String reset(long seed);

    /** Raw little-endian actions: float32 {@code [K, *shape]} or int64 {@code [K]}. */
    String step(byte[] actions);

    /** Raw uint8 HxWx3 frame of one env (empty when it cannot render). */
    byte[] render(int envIndex);

    /** JSON shape of the last render. */
    String lastRenderShape();

    /** Ends the session; {@code shutdown} also ends the worker. */
    String close(boolean shutdown);
}
