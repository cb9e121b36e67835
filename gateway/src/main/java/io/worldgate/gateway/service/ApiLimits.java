package io.worldgate.gateway.service;

/**
 * Every bound the gateway's gRPC API puts on a request, in one place. The comments of
 * {@code proto/worldgate/service/v1/gateway.proto} state the same numbers; change both together.
 */
public final class ApiLimits {
    private ApiLimits() {}

    /** A request body of any call but {@code InstallPlugin}. */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;
    /** An {@code InstallPlugin} body (the jar), when the service allows installs at all. */
    public static final int MAX_PLUGIN_BYTES = 64 * 1024 * 1024;
    /** Calls one connection may have open at once. */
    public static final int MAX_CONCURRENT_CALLS_PER_CONNECTION = 32;

    /** {@code run_id} and {@code checkpoint}. */
    public static final int MAX_ID_CHARS = 128;
    /** Every other string field: agent, preset, env, device, file_name. */
    public static final int MAX_NAME_CHARS = 256;
    /** Entries of one map ({@code agent_config}, {@code env_options}). */
    public static final int MAX_MAP_ENTRIES = 64;
    /** A map key. */
    public static final int MAX_KEY_CHARS = 128;
    /** A map value. */
    public static final int MAX_VALUE_CHARS = 4096;

    /** {@code num_envs}: 0 means 1. */
    public static final long MAX_NUM_ENVS = 256;
    /** {@code steps}, and {@code prefill}, {@code checkpoint_every}, {@code eval_every}. */
    public static final long MAX_STEPS = 1_000_000_000_000L;
    /** {@code eval_episodes} of StartRun and {@code episodes} of Evaluate: 0 means 1. */
    public static final long MAX_EVAL_EPISODES = 1000;
    /** {@code train_ratio}: updates per env step. */
    public static final double MAX_TRAIN_RATIO = 1024;
    /** {@code wait_seconds} of SwapAgent: 0 means 60. */
    public static final long MAX_SWAP_WAIT_SECONDS = 600;
    /** {@code swap_warmup_updates}: updates of an agent swapped in from another family before it acts. */
    public static final long MAX_SWAP_WARMUP_UPDATES = 1_000_000;

    /** {@code keep_checkpoints}: newest intact checkpoints a run keeps. */
    public static final long MAX_KEEP_CHECKPOINTS = 1000;
    /** {@code experience_capacity_bytes}: 1 TiB. */
    public static final long MAX_EXPERIENCE_BYTES = 1L << 40;

    /** How much of a user's input an error message repeats. */
    public static final int MAX_ECHO_CHARS = 80;

    /** {@code text} cut to {@link #MAX_ECHO_CHARS}, saying how long it was, for error messages. */
    public static String echo(String text) {
        if (text == null) {
            return "null";
        }
        if (text.length() <= MAX_ECHO_CHARS) {
            return text;
        }
        return text.substring(0, MAX_ECHO_CHARS) + "…(" + text.length() + " chars)";
    }
}
