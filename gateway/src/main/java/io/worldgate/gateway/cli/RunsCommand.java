package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import io.worldgate.gateway.run.RunStatus;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate runs list|show|stop}. */
@Command(name = "runs", description = "Training runs of the gateway.",
        subcommands = {RunsCommand.ListCommand.class, RunsCommand.ShowCommand.class, RunsCommand.StopCommand.class})
final class RunsCommand {
    @ParentCommand
    Main main;

    static void print(List<RunStatus> runs, boolean json) {
        if (json) {
            System.out.println(Json.write(runs));
            return;
        }
        Table t = new Table("RUN", "STATE", "AGENT", "STEP", "EPISODES", "LAST RETURN", "MESSAGE");
        for (RunStatus s : runs) {
            t.row(s.runId(), s.state(), s.agent(), s.step() + "/" + s.totalSteps(), s.episodes(),
                    Double.isNaN(s.lastReturn()) ? null : String.format(Locale.ROOT, "%.1f", s.lastReturn()), s.message());
        }
        System.out.print(t);
    }

    @Command(name = "list", description = "Runs of the gateway; with --all also those stored in the runs directory.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Option(names = "--all", description = "Include runs stored on disk that are not loaded.")
        boolean all;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            try (GatewayClient client = parent.main.client()) {
                // An in-process gateway has no runs of its own: show the stored ones.
                print(client.runs(all || client.inProcess()), json);
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One run's status.")
    static final class ShowCommand implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Parameters(paramLabel = "RUN")
        String runId;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            try (GatewayClient client = parent.main.client()) {
                List<RunStatus> found = client.runs(true).stream().filter(s -> s.runId().equals(runId)).toList();
                if (found.isEmpty()) {
                    throw new io.worldgate.gateway.service.NotFoundException("no run '" + runId + "'; see 'runs list --all'");
                }
                print(found, json);
            }
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop a run of the gateway service; it checkpoints its agent first.")
    static final class StopCommand implements Callable<Integer> {
        @ParentCommand
        RunsCommand parent;

        @Parameters(paramLabel = "RUN")
        String runId;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            try (GatewayClient client = parent.main.client()) {
                print(List.of(client.stop(runId)), json);
            }
            return 0;
        }
    }
}
