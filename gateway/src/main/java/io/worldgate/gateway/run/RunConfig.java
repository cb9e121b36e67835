package io.worldgate.gateway.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a training run does.
 *
 * @param runId the run's id, also the name of its directory
 * @param agentName the agent plugin to use, by name; the highest deployed version is taken
 * @param preset the agent preset, or null for the agent's default
 * @param agentOverrides {@code --set key=value} values for the agent
 * @param envId environment id such as {@code java:CartPole}
 * @param envOptions environment options
 * @param numEnvs environments stepped together
 * @param totalSteps env steps (summed over environments) after which the run ends
 * @param seed seed of the environments and the agent
 * @param trainRatio gradient updates per env step once prefill is done (0: never train)
 * @param prefillSteps env steps collected before the first update
 * @param checkpointEvery env steps between checkpoints (0: only at the end, on failure and on swaps)
 * @param evalEvery env steps between evaluations (0: none)
 * @param evalEpisodes episodes per evaluation
 * @param runDirectory where checkpoints and diagnostics go
 * @param device {@code auto}, {@code cpu} or {@code gpu}
 * @param keepCheckpoints how many of the newest intact checkpoints are kept; older ones are
 *     deleted (0: {@value #DEFAULT_KEEP_CHECKPOINTS})
 * @param experienceCapacityBytes bytes of stored experience after which the oldest chunks are
 *     deleted (0: {@value #DEFAULT_EXPERIENCE_CAPACITY_BYTES}, 2 GiB)
 * @param swapWarmupUpdates updates an agent swapped in mid-run trains on the run's experience
 *     before it acts, when it could not take over the run's checkpoint (another agent family);
 *     null or negative: {@value #DEFAULT_SWAP_WARMUP_UPDATES}; 0: none
 */
public record RunConfig(String runId, String agentName, String preset, Map<String, String> agentOverrides, String envId,
        Map<String, String> envOptions, int numEnvs, long totalSteps, long seed, double trainRatio, long prefillSteps,
        long checkpointEvery, long evalEvery, int evalEpisodes, Path runDirectory, String device, int keepCheckpoints,
        long experienceCapacityBytes, Integer swapWarmupUpdates) {

    /** Checkpoints kept when none is said: enough to fall back past a damaged one or two. */
    public static final int DEFAULT_KEEP_CHECKPOINTS = 5;
    /**
     * Experience kept when no capacity is said: 2 GiB, about 170k steps of 64x64 RGB images (all
     * of Atari 100k) or tens of millions of small state vectors; older chunks go first.
     */
    public static final long DEFAULT_EXPERIENCE_CAPACITY_BYTES = 2L << 30;
    /**
     * Warm-up updates of an agent swapped in from another family when none is said: enough for a
     * small model to fit the stored experience roughly (a few seconds to a minute on a CPU),
     * before its first action.
     */
    public static final int DEFAULT_SWAP_WARMUP_UPDATES = 100;

    public RunConfig {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(envId, "envId");
        Objects.requireNonNull(runDirectory, "runDirectory");
        agentOverrides = Map.copyOf(agentOverrides);
        envOptions = Map.copyOf(envOptions);
        if (numEnvs < 1) {
            throw new IllegalArgumentException("--envs must be at least 1, got " + numEnvs);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, got " + totalSteps);
        }
        if (trainRatio < 0 || !Double.isFinite(trainRatio)) {
            throw new IllegalArgumentException("the train ratio must be a finite number >= 0, got " + trainRatio);
        }
        if (checkpointEvery < 0 || evalEvery < 0 || prefillSteps < 0) {
            throw new IllegalArgumentException("checkpoint, evaluation and prefill intervals must be >= 0");
        }
        if (keepCheckpoints < 0 || experienceCapacityBytes < 0) {
            throw new IllegalArgumentException("the checkpoints kept and the experience capacity must be >= 0 (0: default)");
        }
        evalEpisodes = Math.max(1, evalEpisodes);
        device = device == null || device.isBlank() ? "auto" : device;
        // Resolved here, so that config.json records what the run used (and older files without them get the defaults).
        keepCheckpoints = keepCheckpoints == 0 ? DEFAULT_KEEP_CHECKPOINTS : keepCheckpoints;
        experienceCapacityBytes = experienceCapacityBytes == 0 ? DEFAULT_EXPERIENCE_CAPACITY_BYTES : experienceCapacityBytes;
        swapWarmupUpdates = swapWarmupUpdates == null || swapWarmupUpdates < 0 ? DEFAULT_SWAP_WARMUP_UPDATES : swapWarmupUpdates;
    }

    /** A config with the default warm-up of agents swapped in from another family. */
    public RunConfig(String runId, String agentName, String preset, Map<String, String> agentOverrides, String envId,
            Map<String, String> envOptions, int numEnvs, long totalSteps, long seed, double trainRatio, long prefillSteps,
            long checkpointEvery, long evalEvery, int evalEpisodes, Path runDirectory, String device, int keepCheckpoints,
            long experienceCapacityBytes) {
        this(runId, agentName, preset, agentOverrides, envId, envOptions, numEnvs, totalSteps, seed, trainRatio, prefillSteps,
                checkpointEvery, evalEvery, evalEpisodes, runDirectory, device, keepCheckpoints, experienceCapacityBytes, null);
    }

    /** A config with the default checkpoint retention and experience capacity. */
    public RunConfig(String runId, String agentName, String preset, Map<String, String> agentOverrides, String envId,
            Map<String, String> envOptions, int numEnvs, long totalSteps, long seed, double trainRatio, long prefillSteps,
            long checkpointEvery, long evalEvery, int evalEpisodes, Path runDirectory, String device) {
        this(runId, agentName, preset, agentOverrides, envId, envOptions, numEnvs, totalSteps, seed, trainRatio, prefillSteps,
                checkpointEvery, evalEvery, evalEpisodes, runDirectory, device, 0, 0);
    }

    /** This config in another directory (where it was found now). */
    public RunConfig withRunDirectory(Path dir) {
        return new RunConfig(runId, agentName, preset, agentOverrides, envId, envOptions, numEnvs, totalSteps, seed, trainRatio,
                prefillSteps, checkpointEvery, evalEvery, evalEpisodes, dir, device, keepCheckpoints, experienceCapacityBytes,
                swapWarmupUpdates);
    }

    /** The agent name without a pinned version ({@code dreamer@1.2.0} gives {@code dreamer}). */
    public String agentBaseName() {
        int at = agentName.indexOf('@');
        return at < 0 ? agentName : agentName.substring(0, at);
    }

    /** The pinned version of {@code name@version}, or null. */
    public String agentVersion() {
        int at = agentName.indexOf('@');
        return at < 0 ? null : agentName.substring(at + 1);
    }
}
