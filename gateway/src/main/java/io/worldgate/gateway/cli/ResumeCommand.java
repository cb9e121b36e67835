package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.TrainingSession;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate resume RUN}. */
@Command(name = "resume", description = "Continue a stopped or crashed run from its last checkpoint; the step counter goes on.")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN", description = "Run id, as in 'runs list --all'.")
    String runId;

    @Option(names = "--json", description = "No progress bar; print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        try (GatewayClient client = main.client()) {
            return TrainingSession.resume(client, runId, json, main.exit);
        }
    }
}
