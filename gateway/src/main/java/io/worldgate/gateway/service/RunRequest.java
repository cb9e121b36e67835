package io.worldgate.gateway.service;

import java.util.Map;

/**
 * What a user asks a gateway to train: the fields of {@code train} and of the service's
 * {@code StartRun}, before validation.
 */
public record RunRequest(String agent, String preset, Map<String, String> agentConfig, String env,
        Map<String, String> envOptions, int numEnvs, long steps, long seed, double trainRatio, long prefill,
        long checkpointEvery, long evalEvery, int evalEpisodes, String device) {

    public RunRequest {
        agentConfig = Map.copyOf(agentConfig);
        envOptions = Map.copyOf(envOptions);
    }

    /** A request with defaults for everything but the agent, environment and step budget. */
    public static RunRequest of(String agent, String env, long steps) {
        return new RunRequest(agent, null, Map.of(), env, Map.of(), 1, steps, 0, 0, 0, 0, 0, 1, "auto");
    }
}
