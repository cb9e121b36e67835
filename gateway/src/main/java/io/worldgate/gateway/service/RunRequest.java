package io.worldgate.gateway.service;

import java.util.Map;

/**
 * What a user asks a gateway to train: the fields of {@code train} and of the service's
 * {@code StartRun}, before validation. A 0 in {@code checkpointEvery}, {@code keepCheckpoints} or
 * {@code experienceCapacityBytes} asks for the default ({@link #DEFAULT_CHECKPOINT_EVERY},
 * {@link io.worldgate.gateway.run.RunConfig#DEFAULT_KEEP_CHECKPOINTS},
 * {@link io.worldgate.gateway.run.RunConfig#DEFAULT_EXPERIENCE_CAPACITY_BYTES}). A negative
 * {@code trainRatio} ({@link #AGENT_DEFAULT_TRAIN_RATIO}) asks for the agent's own
 * ({@link io.worldgate.api.agent.AgentDescriptor#defaultTrainRatio}); 0 asks for no training. A
 * negative {@code swapWarmupUpdates} asks for
 * {@link io.worldgate.gateway.run.RunConfig#DEFAULT_SWAP_WARMUP_UPDATES}.
 */
public record RunRequest(String agent, String preset, Map<String, String> agentConfig, String env,
        Map<String, String> envOptions, int numEnvs, long steps, long seed, double trainRatio, long prefill,
        long checkpointEvery, long evalEvery, int evalEpisodes, String device, int keepCheckpoints,
        long experienceCapacityBytes, int swapWarmupUpdates) {

    /**
     * Env steps between checkpoints when none is said. A crash or a failed environment loses at
     * most this many steps of the agent's progress; with the default retention five checkpoints
     * cover the last 50k steps.
     */
    public static final long DEFAULT_CHECKPOINT_EVERY = 10_000;

    /** The {@code trainRatio} that asks for the agent's default train ratio. */
    public static final double AGENT_DEFAULT_TRAIN_RATIO = -1;

    public RunRequest {
        agentConfig = Map.copyOf(agentConfig);
        envOptions = Map.copyOf(envOptions);
    }

    /** A request with the default checkpoint retention and experience capacity. */
    public RunRequest(String agent, String preset, Map<String, String> agentConfig, String env, Map<String, String> envOptions,
            int numEnvs, long steps, long seed, double trainRatio, long prefill, long checkpointEvery, long evalEvery,
            int evalEpisodes, String device) {
        this(agent, preset, agentConfig, env, envOptions, numEnvs, steps, seed, trainRatio, prefill, checkpointEvery, evalEvery,
                evalEpisodes, device, 0, 0, -1);
    }

    /** A request with the default warm-up of agents swapped in from another family. */
    public RunRequest(String agent, String preset, Map<String, String> agentConfig, String env, Map<String, String> envOptions,
            int numEnvs, long steps, long seed, double trainRatio, long prefill, long checkpointEvery, long evalEvery,
            int evalEpisodes, String device, int keepCheckpoints, long experienceCapacityBytes) {
        this(agent, preset, agentConfig, env, envOptions, numEnvs, steps, seed, trainRatio, prefill, checkpointEvery, evalEvery,
                evalEpisodes, device, keepCheckpoints, experienceCapacityBytes, -1);
    }

    /** A request with defaults for everything but the agent, environment and step budget. */
    public static RunRequest of(String agent, String env, long steps) {
        return new RunRequest(agent, null, Map.of(), env, Map.of(), 1, steps, 0, AGENT_DEFAULT_TRAIN_RATIO, 0, 0, 0, 1, "auto");
    }
}
