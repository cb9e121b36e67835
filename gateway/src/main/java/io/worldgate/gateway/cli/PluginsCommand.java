package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.host.PluginInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate plugins list}. */
@Command(name = "plugins", description = "Deployed agent plugins.", subcommands = PluginsCommand.ListCommand.class)
final class PluginsCommand {
    @ParentCommand
    Main main;

    @Command(name = "list", description = "Every deployed plugin with its name, version and state, and the error for any that failed.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        PluginsCommand parent;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            try (GatewayClient client = parent.main.client()) {
                List<PluginInfo> plugins = client.plugins();
                if (json) {
                    System.out.println(Json.write(plugins));
                } else if (plugins.isEmpty()) {
                    System.out.println("no plugins deployed (build and deploy the bundled ones with ./worldgate build)");
                } else {
                    Table t = new Table("FILE", "PLUGIN", "VERSION", "STATE", "AGENTS", "ERROR");
                    for (PluginInfo p : plugins) {
                        t.row(p.file(), p.symbolicName(), p.version(), p.state(), String.join(",", p.agents()), p.error());
                    }
                    System.out.print(t);
                }
                return plugins.stream().allMatch(PluginInfo::healthy) ? 0 : 1;
            }
        }
    }
}
