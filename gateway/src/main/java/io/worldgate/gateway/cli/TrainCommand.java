package io.worldgate.gateway.cli;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.TrainingSession;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.service.ApiLimits;
import io.worldgate.gateway.service.RunRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate train}. */
@Command(name = "train", description = "Train an agent plugin on an environment, with a progress bar and a summary at the end.")
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--agent", required = true, description = "Agent name, as in 'plugins list', or name@version.")
    String agent;

    @Option(names = "--env", required = true, description = "Environment id, as in 'envs list' (e.g. java:CartPole).")
    String env;

    @Option(names = "--steps", defaultValue = "20000", description = "Env steps to take in all (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--envs", defaultValue = "4", description = "Environments stepped together (default: ${DEFAULT-VALUE}).")
    int numEnvs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--preset", description = "Agent preset (default: the agent's own).")
    String preset;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override an agent config key; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--env-option", paramLabel = "KEY=VALUE", description = "Environment option; repeatable.")
    List<String> envOptions = new ArrayList<>();

    @Option(names = "--train-ratio", description = "Updates per env step after --prefill; 0: no training "
            + "(default: the agent's own; 0 for an agent that declares none).")
    Double trainRatio;

    @Option(names = "--prefill", defaultValue = "0", description = "Env steps before the first update (default: ${DEFAULT-VALUE}).")
    long prefill;

    @Option(names = "--checkpoint-every", defaultValue = "10000", description = "Env steps between checkpoints; a run also "
            + "checkpoints at its end, on swaps and when its environment fails (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "5", description = "Newest intact checkpoints kept; older ones are "
            + "deleted, never the one resumed from (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--experience-capacity", paramLabel = "SIZE", defaultValue = "2GiB", description = "Experience kept on "
            + "disk (e.g. 512MiB, 10GiB); beyond it the oldest chunks are deleted (default: ${DEFAULT-VALUE}).")
    String experienceCapacity;

    @Option(names = "--swap-warmup", paramLabel = "UPDATES", description = "Updates an agent swapped in mid-run trains on "
            + "the run's experience before it acts, when it cannot take over the run's checkpoint (another agent family); "
            + "0 none (default: " + RunConfig.DEFAULT_SWAP_WARMUP_UPDATES + ").")
    Integer swapWarmup;

    @Option(names = "--eval-every", defaultValue = "0", description = "Env steps between evaluations; 0 none (default: ${DEFAULT-VALUE}).")
    long evalEvery;

    @Option(names = "--eval-episodes", defaultValue = "4", description = "Episodes per evaluation (default: ${DEFAULT-VALUE}).")
    int evalEpisodes;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "No progress bar; print the summary as JSON.")
    boolean json;

    @Option(names = "--workers", paramLabel = "W", description = "Python worker processes for the envs "
            + "(default: min(envs, cores)); Python families only.")
    Integer workers;

    @Option(names = "--transport", paramLabel = "grpc|grpc-shm|py4j|shm", description = "How the gateway talks to its Python "
            + "workers (default: grpc-shm).")
    String transport;

    @Option(names = "--env-worker", paramLabel = "HOST:PORT", description = "Use a worker you started "
            + "(python -m worldgate_envs serve ... --listen HOST:PORT) instead of spawning one; repeatable. A gateway service "
            + "connects only to workers it was started to allow (serve --allow-env-worker).")
    List<String> envWorkers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> envOpts = new LinkedHashMap<>(TrainingSession.parseAssignments(envOptions, "--env-option"));
        envOpts.putAll(BridgeConfig.envOptions(workers, transport, envWorkers));
        if (swapWarmup != null && swapWarmup < 0) {
            throw new IllegalArgumentException("--swap-warmup must be >= 0 (0: none), got " + swapWarmup);
        }
        if (evalEpisodes < 1 || evalEpisodes > ApiLimits.MAX_EVAL_EPISODES) {
            throw new IllegalArgumentException("--eval-episodes must be in [1, " + ApiLimits.MAX_EVAL_EPISODES + "], got "
                    + evalEpisodes + " (--eval-every 0 turns evaluations off)");
        }
        if (checkpointEvery < 1 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("--checkpoint-every and --keep-checkpoints must be at least 1, got "
                    + checkpointEvery + " and " + keepCheckpoints + " (a run also checkpoints at its end)");
        }
        RunRequest request = new RunRequest(agent, preset, TrainingSession.parseAssignments(sets, "--set"), env,
                envOpts, numEnvs, steps, seed, trainRatioOrDefault(), prefill,
                checkpointEvery, evalEvery, evalEpisodes, device, keepCheckpoints, parseBytes(experienceCapacity),
                swapWarmup == null ? -1 : swapWarmup);
        try (GatewayClient client = main.client(envWorkers)) {
            return TrainingSession.train(client, request, json, main.exit);
        }
    }

    /** {@code 2GiB}, {@code 512MiB}, {@code 64k}, {@code 1000000}: bytes, with binary units. */
    static long parseBytes(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d+)\\s*([kmgt]?)(?:i?b)?\\s*").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("--experience-capacity takes a size such as 512MiB or 4GiB, got '" + text + "'");
        }
        int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n < 1 || n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("--experience-capacity must be between 1 byte and 2^63 bytes, got '" + text + "'");
        }
        return n << shift;
    }

    /** The ratio given, or the marker for the agent's default; a negative or non-number ratio is bad input. */
    private double trainRatioOrDefault() {
        if (trainRatio == null) {
            return RunRequest.AGENT_DEFAULT_TRAIN_RATIO;
        }
        if (!(trainRatio >= 0)) {
            throw new IllegalArgumentException("--train-ratio must be a number >= 0 (0: no training), got " + trainRatio);
        }
        return trainRatio;
    }
}
