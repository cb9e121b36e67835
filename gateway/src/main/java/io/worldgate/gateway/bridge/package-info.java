/**
 * Environment bridges: env ids, their families, and the vectorized environments they create.
 *
 * <p>{@link io.worldgate.gateway.bridge.EnvRegistry#withBuiltins()} knows the families on the class
 * path ({@link java.util.ServiceLoader}: the {@code java} family, small envs in the gateway itself)
 * and the families the bridge's Python lists ({@code dmc}, {@code atari}, {@code metaworld},
 * {@code gym}, {@code const} and those of installed {@code worldgate_envs.families} entry points),
 * which run in supervised Python worker processes ({@code python -m worldgate_envs serve}, see
 * {@code env-bridge-python/}). How those are served
 * is a {@link io.worldgate.gateway.bridge.BridgeConfig}: W workers of K envs each, gRPC with or
 * without a shared-memory file for observations, or Py4J; workers started by the user
 * ({@code --env-worker HOST:PORT}); deadlines; restart limits. The same settings can travel as
 * {@code bridge.*} env options in a run request, but a request may name only the env workers the
 * gateway allows ({@code serve --allow-env-worker}), and worker counts and image sizes are capped.
 *
 * <p>Supervision: every call has a deadline (a step's follows the observed step times); a worker
 * that dies, hangs or whose simulator raises is killed and restarted in the background with
 * exponential backoff while the other workers' envs go on stepping, its episodes reported as
 * truncated and marked cut ({@link io.worldgate.gateway.bridge.StepInfos}); after too many failures
 * in a window the env throws an {@link io.worldgate.gateway.bridge.EnvWorkerException}
 * with the Python traceback. Workers live in process groups of their own and end with the gateway:
 * on close (SIGTERM, then SIGKILL), from a JVM shutdown hook, and by themselves when the JVM is
 * killed ({@code --exit-with-parent}).
 */
package io.worldgate.gateway.bridge;
