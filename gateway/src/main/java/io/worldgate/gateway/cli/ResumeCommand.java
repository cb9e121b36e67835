package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
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

/** {@code worldgate resume RUN}. */
@Command(name = "resume", description = "Continue a stopped or crashed run from its last checkpoint; the step counter goes on. A learner"
        + " run (see learn) goes on in this process from its last checkpoint.")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN", description = "Run id, as in 'runs list --all'.")
    String runId;

    @Option(names = "--json", description = "No progress bar; print the summary as JSON.")
    boolean json;

    @Option(names = "--env-worker", paramLabel = "HOST:PORT", description = "A worker you started that the run, resumed in "
            + "this process, may use again (as 'train --env-worker' did); repeatable. A gateway service connects only to "
            + "workers it was started to allow (serve --allow-env-worker).")
    List<String> envWorkers = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (LearnerRun.isLearnerRun(main.runsDir.resolve(runId))) {
            // a learner run always runs in this process, with a plugin host of its own
            return LearnerSession.resume(main.pluginsDir, main.runsDir, runId, json, main.exit);
        }
        try (GatewayClient client = main.client(envWorkers)) {
            return TrainingSession.resume(client, runId, json, main.exit);
        }
    }
}
