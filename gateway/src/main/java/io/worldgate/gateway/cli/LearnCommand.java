package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.LearnerSession;
import io.worldgate.gateway.cli.internal.TrainingSession;
import io.worldgate.gateway.run.LearnerRun;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate learn LEARNER --from-run RUN}. */
@Command(name = "learn", description = "Train a learner plugin (one that does not act, such as an image encoder) on the stored"
        + " experience of a run, in a new run of its own; the source run is not changed. Runs in this process.")
final class LearnCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "LEARNER", description = "Learner name, as in 'learners list'.")
    String learner;

    @Option(names = "--from-run", required = true, paramLabel = "RUN", description = "The run whose experience to learn from.")
    String fromRun;

    @Option(names = "--updates", defaultValue = "1000", description = "Updates to run (default: ${DEFAULT-VALUE}).")
    long updates;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--preset", description = "Learner preset (default: the learner's own).")
    String preset;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a learner config key; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Updates between checkpoints; a run also "
            + "checkpoints at its end and when stopped (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "5", description = "Newest intact checkpoints kept "
            + "(default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--json", description = "No progress bar; print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (updates < 1 || checkpointEvery < 1 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("--updates, --checkpoint-every and --keep-checkpoints must be at least 1, got "
                    + updates + ", " + checkpointEvery + " and " + keepCheckpoints);
        }
        LearnerRun.Request request = new LearnerRun.Request(learner, preset, TrainingSession.parseAssignments(sets, "--set"),
                fromRun, updates, seed, device, checkpointEvery, keepCheckpoints);
        return LearnerSession.learn(main.pluginsDir, main.runsDir, request, json, main.exit);
    }
}
