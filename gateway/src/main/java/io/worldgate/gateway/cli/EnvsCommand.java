package io.worldgate.gateway.cli;

import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code worldgate envs list}. */
@Command(name = "envs", description = "Environment families and example ids.", subcommands = EnvsCommand.ListCommand.class)
final class EnvsCommand {

    @Command(name = "list", description = "Every environment family with example ids.")
    static final class ListCommand implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            List<Map<String, String>> rows = new ArrayList<>();
            for (EnvFactory f : EnvRegistry.withBuiltins().families()) {
                f.examples().forEach((id, description) -> {
                    Map<String, String> row = new LinkedHashMap<>();
                    row.put("family", f.family());
                    row.put("id", id);
                    row.put("description", description);
                    rows.add(row);
                });
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
