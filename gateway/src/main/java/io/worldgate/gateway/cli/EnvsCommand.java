package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate envs list}. */
@Command(name = "envs", description = "Environment families and example ids.", subcommands = EnvsCommand.ListCommand.class)
final class EnvsCommand {
    @ParentCommand
    Main main;

    @Command(name = "list", description = "Every environment family with example ids.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        EnvsCommand parent;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            List<Map<String, String>> rows = new ArrayList<>();
            try (GatewayClient client = parent.main.client()) {
                client.envs().forEach((family, examples) -> examples.forEach((id, description) -> {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("family", family);
                    row.put("id", id);
                    row.put("description", description);
                    rows.add(row);
                }));
            }
            if (json) {
                System.out.println(Json.write(rows));
            } else {
                Table t = new Table("FAMILY", "ID", "DESCRIPTION");
                rows.forEach(r -> t.row(r.get("family"), r.get("id"), r.get("description")));
                System.out.print(t);
            }
            return 0;
        }
    }
}
