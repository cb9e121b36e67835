package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.TrainingSession;
import io.worldgate.gateway.cli.internal.TrainingSession.Outcome;
import io.worldgate.gateway.service.RunRequest;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code worldgate demo}: Dreamer learns java:CartPole in a few minutes on a laptop CPU, and the
 * demo ends with its learning curve, an evaluation video and the random agent's score beside it.
 */
@Command(name = "demo", description = {
        "Dreamer (debug preset) learns java:CartPole in a few minutes; ends with the learning curve, an evaluation "
                + "video, and the random agent's score for comparison."})
final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_AGENT = "dreamer";
    static final String DEFAULT_ENV = "java:CartPole";
    static final String BASELINE_AGENT = "random";
    static final int ENVS = 4;
    static final int EVAL_EPISODES = 10;

    @ParentCommand
    Main main;

    @Option(names = "--agent", defaultValue = DEFAULT_AGENT, description = "Agent to train (default: ${DEFAULT-VALUE}).")
    String agent;

    @Option(names = "--steps", defaultValue = "6000", description = "Env steps over the 4 envs (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        boolean learns = !agent.equals(BASELINE_AGENT);
        // The debug preset at DreamerV3's replay ratio 64 (0.25 updates of 16 x 16 per env step),
        // after 800 random steps: java:CartPole is learned in a few thousand steps on two cores.
        RunRequest request = new RunRequest(agent, learns ? "debug" : null, Map.of(), DEFAULT_ENV, Map.of(), ENVS, steps,
                seed, learns ? 0.25 : 0, learns ? 800 : 0, 0, 1000, EVAL_EPISODES, "auto");
        try (GatewayClient client = main.client()) {
            double baseline = Double.NaN;
            if (learns) {
                System.out.printf("%s learns %s: %,d env steps on %d envs, evaluated every 1,000 steps (%d episodes).%n",
                        agent, DEFAULT_ENV, steps, ENVS, EVAL_EPISODES);
                System.out.printf("First the random agent's score, for comparison ... ");
                System.out.flush();
                baseline = randomScore(client);
                System.out.printf(Locale.ROOT, "mean return %.1f over %d episodes%n", baseline, EVAL_EPISODES);
            }
            Outcome outcome = TrainingSession.follow(client, request, false, main.exit);
            if (learns && outcome.lastEvaluation().isPresent()) {
                System.out.printf(Locale.ROOT, "%n%s: mean evaluation return %.1f after %,d steps (best %.1f at step %,d); "
                        + "random agent: %.1f%n", agent, outcome.lastEvaluation().getAsDouble(), outcome.status().step(),
                        outcome.bestEvaluation().getAsDouble(), outcome.bestEvaluationStep(), baseline);
                outcome.lastVideo().ifPresent(v -> System.out.println("  evaluation video  " + v));
                System.out.println("  learning curve    " + java.nio.file.Path.of(outcome.runDirectory()).resolve("learning_curve.png"));
            }
            return outcome.exitCode();
        }
    }

    /** The random agent's mean return over {@link #EVAL_EPISODES} evaluation episodes. */
    private double randomScore(GatewayClient client) throws InterruptedException {
        long budget = 200;
        RunRequest random = new RunRequest(BASELINE_AGENT, null, Map.of(), DEFAULT_ENV, Map.of(), ENVS, budget, seed + 1, 0, 0,
                0, budget, EVAL_EPISODES, "auto");
        return TrainingSession.quietly(client, random, main.exit).lastEvaluation().orElse(Double.NaN);
    }
}
