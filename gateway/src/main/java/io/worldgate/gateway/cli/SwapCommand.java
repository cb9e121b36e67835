package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate swap RUN AGENT}. */
@Command(name = "swap", description = "Switch a running run to another agent (name or name@version) at its next step boundary.")
final class SwapCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "RUN")
    String runId;

    @Parameters(index = "1", paramLabel = "AGENT", description = "name or name@version")
    String agent;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        try (GatewayClient client = main.client()) {
            if (client.inProcess()) {
                throw new IllegalArgumentException("no gateway service is running for " + main.runsDir
                        + "; swap works on runs of a service (worldgate serve), or drop a new plugin jar into the deploy directory");
            }
            RunsCommand.print(List.of(client.swap(runId, agent)), json);
        }
        return 0;
    }
}
