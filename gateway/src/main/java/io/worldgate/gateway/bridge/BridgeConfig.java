package io.worldgate.gateway.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How the Python environment families ({@code dmc}, {@code atari}, {@code metaworld}, {@code gym},
 * {@code const}) are served: how many worker processes, over which transport, with which deadlines
 * and restart limits.
 *
 * @param workers worker processes per vectorized env; N envs are split over them as evenly as
 *     possible (0: {@code min(N, available processors)})
 * @param transport how the gateway talks to local workers
 * @param remoteWorkers {@code HOST:PORT} of workers started by the user; when not empty no worker
 *     is spawned and these are used instead, in this order (gRPC, observations in the messages)
 * @param python the Python interpreter, or null to look for one ({@code -Dworldgate.python},
 *     {@code WORLDGATE_PYTHON}, then {@code .venv/bin/python} under the working directory)
 * @param startTimeout how long a worker may take to print its handshake line and answer
 * @param callTimeout the deadline of every reset and render response, of the first steps, and the
 *     longest a step may take; once steps have been timed, a step's deadline follows them (see
 *     {@code stepDeadlineFloor})
 * @param stepDeadlineFloor the shortest deadline of a step: once enough steps have been timed, a
 *     step must answer within {@code max(stepDeadlineFloor, 10 x p99 of the recent step times)},
 *     at most {@code callTimeout}, so that a hung worker is found in seconds, not a minute
 * @param maxFailures worker failures within {@code failureWindow} after which the env gives up
 * @param failureWindow see {@code maxFailures}
 * @param backoffInitial the wait before the first restart; it doubles with each failure in the window
 * @param backoffMax the longest wait before a restart
 * @param workerEnvironment extra environment variables for spawned workers (e.g. {@code MUJOCO_GL=egl})
 * @param allowedEnvWorkers the {@code HOST:PORT} addresses a run request may name in
 *     {@code bridge.env_workers}: the gateway's own configuration ({@code serve --allow-env-worker},
 *     or the in-process CLI's {@code --env-worker}), so that a client cannot make the gateway
 *     connect wherever it likes
 */
public record BridgeConfig(int workers, Transport transport, List<String> remoteWorkers, Path python,
        Duration startTimeout, Duration callTimeout, int maxFailures, Duration failureWindow,
        Duration backoffInitial, Duration backoffMax, Map<String, String> workerEnvironment,
        List<String> allowedEnvWorkers, Duration stepDeadlineFloor) {

    /**
     * The most worker processes one env may have: a fixed number rather than one derived from
     * the host, so that what a request may ask is the same everywhere.
     */
    public static final int MAX_WORKERS = 64;

    /**
     * The longest timeout, failure window or step deadline floor, in seconds, that a run request
     * may ask for: a bound that keeps them far from overflowing nanosecond arithmetic, and keeps a
     * client from holding the gateway's workers for days.
     */
    public static final int MAX_TIMING_SECONDS = 3600;

    /** The most worker failures within the failure window that a run request may allow. */
    public static final int MAX_FAILURES = 1000;

    /** The largest image side, in pixels, that the simulator options {@link #IMAGE_SIZE_OPTIONS} may ask for. */
    public static final int MAX_IMAGE_SIZE = 512;

    /** Simulator options that set an image side in pixels ({@code dmc}, {@code atari}, {@code metaworld}, {@code const}). */
    public static final List<String> IMAGE_SIZE_OPTIONS = List.of("size", "render_size", "image");

    /**
     * Env options starting with this prefix configure the bridge for one env instead of going to
     * the simulator, so that a run request (CLI or service) can carry them: {@code bridge.workers},
     * {@code bridge.transport}, {@code bridge.env_workers} (comma-separated {@code HOST:PORT}),
     * {@code bridge.call_timeout_s}, {@code bridge.start_timeout_s}, {@code bridge.max_failures},
     * {@code bridge.failure_window_s}, {@code bridge.step_deadline_floor_s}. {@code bridge.env_workers} may only name addresses of
     * {@link #allowedEnvWorkers}; the timings are at most {@link #MAX_TIMING_SECONDS}, the failures {@link #MAX_FAILURES}.
     */
    public static final String OPTION_PREFIX = "bridge.";

    private static final List<String> OPTION_KEYS = List.of("workers", "transport", "env_workers", "call_timeout_s",
            "start_timeout_s", "max_failures", "failure_window_s", "step_deadline_floor_s");

    /** How observations and requests travel between the gateway and a worker. */
    public enum Transport {
        /** gRPC stream, observations as bytes in the messages. */
        GRPC("grpc"),
        /** gRPC stream, observations through a shared-memory file (local workers only). */
        GRPC_SHM("grpc-shm"),
        /** Py4J calls for control, observations through a shared-memory file (local workers only). */
        PY4J("py4j"),
        /**
         * gRPC for the handshake, then steps through shared memory with a one-byte doorbell on a
         * Unix socket: actions and results in a step channel file, observations as with
         * {@code grpc-shm} (local workers only).
         */
        SHM("shm");

        private final String label;

        Transport(String label) {
            this.label = label;
        }

        /** The name used on the command line. */
        public String label() {
            return label;
        }

        /** Parses {@code grpc}, {@code grpc-shm}, {@code py4j} or {@code shm}. */
        public static Transport parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Transport v : values()) {
                if (v.label.equals(t)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown transport '" + text + "'; use grpc, grpc-shm, py4j or shm");
        }
    }

    public BridgeConfig {
        Objects.requireNonNull(transport, "transport");
        remoteWorkers = List.copyOf(remoteWorkers);
        workerEnvironment = Map.copyOf(workerEnvironment);
        allowedEnvWorkers = List.copyOf(allowedEnvWorkers);
        if (workers < 0 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("--workers must be in [0, " + MAX_WORKERS + "] (0: automatic), got " + workers);
        }
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be >= 1, got " + maxFailures);
        }
        for (String a : remoteWorkers) {
            if (!a.startsWith("unix:") && a.lastIndexOf(':') <= 0) {
                throw new IllegalArgumentException("--env-worker takes HOST:PORT (or unix:/path), got '" + a + "'");
            }
        }
        if (!remoteWorkers.isEmpty() && transport == Transport.PY4J) {
            throw new IllegalArgumentException("--env-worker connects over gRPC; it cannot be combined with --transport py4j");
        }
        requirePositive(startTimeout, "startTimeout");
        requirePositive(callTimeout, "callTimeout");
        requirePositive(failureWindow, "failureWindow");
        requirePositive(stepDeadlineFloor, "stepDeadlineFloor");
        Objects.requireNonNull(backoffInitial, "backoffInitial");
        Objects.requireNonNull(backoffMax, "backoffMax");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    /**
     * The defaults: automatic worker count, gRPC with shared memory, 120 s to start, 60 s per call,
     * give up after 5 failures within 60 s, restarts after 0.5 s doubling up to 10 s, a step deadline
     * of at least 5 s once steps have been timed.
     */
    public static BridgeConfig defaults() {
        return new BridgeConfig(0, Transport.GRPC_SHM, List.of(), null, Duration.ofSeconds(120), Duration.ofSeconds(60),
                5, Duration.ofSeconds(60), Duration.ofMillis(500), Duration.ofSeconds(10), Map.of(), List.of(),
                Duration.ofSeconds(5));
    }

    public BridgeConfig withWorkers(int w) {
        return new BridgeConfig(w, transport, remoteWorkers, python, startTimeout, callTimeout, maxFailures, failureWindow,
                backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withTransport(Transport t) {
        return new BridgeConfig(workers, t, remoteWorkers, python, startTimeout, callTimeout, maxFailures, failureWindow,
                backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withRemoteWorkers(List<String> addresses) {
        return new BridgeConfig(workers, transport, addresses, python, startTimeout, callTimeout, maxFailures, failureWindow,
                backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withPython(Path p) {
        return new BridgeConfig(workers, transport, remoteWorkers, p, startTimeout, callTimeout, maxFailures, failureWindow,
                backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withTimeouts(Duration start, Duration call) {
        return new BridgeConfig(workers, transport, remoteWorkers, python, start, call, maxFailures, failureWindow,
                backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withFailurePolicy(int max, Duration window, Duration firstBackoff, Duration longestBackoff) {
        return new BridgeConfig(workers, transport, remoteWorkers, python, startTimeout, callTimeout, max, window,
                firstBackoff, longestBackoff, workerEnvironment, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withWorkerEnvironment(Map<String, String> env) {
        return new BridgeConfig(workers, transport, remoteWorkers, python, startTimeout, callTimeout, maxFailures,
                failureWindow, backoffInitial, backoffMax, env, allowedEnvWorkers, stepDeadlineFloor);
    }

    public BridgeConfig withStepDeadlineFloor(Duration floor) {
        return new BridgeConfig(workers, transport, remoteWorkers, python, startTimeout, callTimeout, maxFailures,
                failureWindow, backoffInitial, backoffMax, workerEnvironment, allowedEnvWorkers, floor);
    }

    /** This config with {@code addresses} allowed in {@code bridge.env_workers}. */
    public BridgeConfig withAllowedEnvWorkers(List<String> addresses) {
        return new BridgeConfig(workers, transport, remoteWorkers, python, startTimeout, callTimeout, maxFailures,
                failureWindow, backoffInitial, backoffMax, workerEnvironment, addresses, stepDeadlineFloor);
    }

    /**
     * The env options that carry the CLI's bridge flags; empty for flags left unset.
     *
     * @param workers {@code --workers}, or null
     * @param transport {@code --transport}, or null
     * @param envWorkers {@code --env-worker} addresses, possibly empty
     */
    public static Map<String, String> envOptions(Integer workers, String transport, List<String> envWorkers) {
        Map<String, String> out = new LinkedHashMap<>();
        if (workers != null) {
            out.put(OPTION_PREFIX + "workers", Integer.toString(workers));
        }
        if (transport != null && !transport.isBlank()) {
            out.put(OPTION_PREFIX + "transport", Transport.parse(transport).label());
        }
        if (envWorkers != null && !envWorkers.isEmpty()) {
            out.put(OPTION_PREFIX + "env_workers", String.join(",", envWorkers));
        }
        return out;
    }

    /** {@code options} without the {@code bridge.*} keys: what the simulator gets. */
    public static Map<String, String> simulatorOptions(Map<String, String> options) {
        Map<String, String> out = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (!k.startsWith(OPTION_PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Whether {@code options} hold any {@code bridge.*} key. */
    public static boolean hasBridgeOptions(Map<String, String> options) {
        return options.keySet().stream().anyMatch(k -> k.startsWith(OPTION_PREFIX));
    }

    /**
     * This config with the {@code bridge.*} keys of {@code options} applied.
     *
     * @throws EnvException naming the key when one is unknown or its value is not valid
     */
    public BridgeConfig withEnvOptions(Map<String, String> options) {
        BridgeConfig c = this;
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (!e.getKey().startsWith(OPTION_PREFIX)) {
                continue;
            }
            String key = e.getKey().substring(OPTION_PREFIX.length());
            String v = e.getValue().trim();
            try {
                c = switch (key) {
                    case "workers" -> c.withWorkers(Integer.parseInt(v));
                    case "transport" -> c.withTransport(Transport.parse(v));
                    case "env_workers" -> {
                        List<String> list = new ArrayList<>();
                        for (String a : v.split(",")) {
                            if (!a.isBlank()) {
                                list.add(a.trim());
                            }
                        }
                        for (String a : list) {
                            if (!allowedEnvWorkers.contains(a)) {
                                throw new EnvWorkerNotAllowedException(a, allowedEnvWorkers);
                            }
                        }
                        yield c.withRemoteWorkers(list).withTransport(Transport.GRPC);
                    }
                    case "call_timeout_s" -> c.withTimeouts(c.startTimeout, seconds(e.getKey(), v));
                    case "start_timeout_s" -> c.withTimeouts(seconds(e.getKey(), v), c.callTimeout);
                    case "max_failures" -> c.withFailurePolicy(maxFailures(e.getKey(), v), c.failureWindow, c.backoffInitial,
                            c.backoffMax);
                    case "failure_window_s" -> c.withFailurePolicy(c.maxFailures, seconds(e.getKey(), v), c.backoffInitial,
                            c.backoffMax);
                    case "step_deadline_floor_s" -> c.withStepDeadlineFloor(seconds(e.getKey(), v));
                    default -> throw new EnvException("unknown bridge option '" + e.getKey() + "'; known: "
                            + String.join(", ", OPTION_KEYS.stream().map(k -> OPTION_PREFIX + k).toList()));
                };
            } catch (NumberFormatException ex) {
                throw new EnvException("bridge option " + e.getKey() + "=" + v + " is not a number");
            } catch (IllegalArgumentException ex) {
                throw new EnvException("bridge option " + e.getKey() + "=" + v + ": " + ex.getMessage());
            }
        }
        return c;
    }

    /**
     * Checks the simulator options that size images against {@link #MAX_IMAGE_SIZE}, before any
     * worker starts: a worker asked for a huge image would allocate it for every env.
     *
     * @throws EnvException naming the option
     */
    public static void checkSimulatorLimits(Map<String, String> options) {
        for (String key : IMAGE_SIZE_OPTIONS) {
            String v = options.get(key);
            if (v == null) {
                continue;
            }
            long size;
            try {
                size = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                continue; // not a number: the worker names the option and what it takes
            }
            if (size > MAX_IMAGE_SIZE) {
                throw new EnvException("env option " + key + "=" + size + " is too large; images are at most " + MAX_IMAGE_SIZE
                        + " pixels a side");
            }
        }
    }

    private static Duration seconds(String key, String v) {
        double s = Double.parseDouble(v);
        if (!(s > 0 && s <= MAX_TIMING_SECONDS)) { // also refuses NaN
            throw new EnvException("bridge option " + key + "=" + v + " must be in (0, " + MAX_TIMING_SECONDS + "] seconds");
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static int maxFailures(String key, String v) {
        int max = Integer.parseInt(v);
        if (max < 1 || max > MAX_FAILURES) {
            throw new EnvException("bridge option " + key + "=" + v + " must be in [1, " + MAX_FAILURES + "]");
        }
        return max;
    }
}
