package io.worldgate.gateway.cli;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import io.worldgate.gateway.cli.internal.TrainingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate envs list}. */
@Command(name = "envs", description = "Environment families and example ids.", subcommands = EnvsCommand.ListCommand.class)
final class EnvsCommand {
    /** The family whose environments live in the gateway's JVM: opening one to read its spec is free. */
    private static final String IN_PROCESS_FAMILY = "java";

    @ParentCommand
    Main main;

    @Command(name = "list", description = "Every environment family with example ids, and the observations and actions "
            + "of the java family's; --spec ID opens one environment of any family and prints its spaces.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        EnvsCommand parent;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Option(names = "--spec", paramLabel = "ID", description = "Open one environment of ID (a Python family starts "
                + "a worker) and print its observation keys with their shapes and its action space.")
        String spec;

        @Option(names = "--env-option", paramLabel = "KEY=VALUE", description = "Environment option for --spec; repeatable.")
        List<String> envOptions = new ArrayList<>();

        @Override
        public Integer call() {
            if (spec != null) {
                return printSpec(open(spec, TrainingSession.parseAssignments(envOptions, "--env-option")));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (GatewayClient client = parent.main.client()) {
                client.envs().forEach((family, examples) -> examples.forEach((id, description) -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("family", family);
                    row.put("id", id);
                    row.put("description", description);
                    if (family.equals(IN_PROCESS_FAMILY)) {
                        EnvSpec s = open(id, Map.of());
                        row.put("observations", observations(s));
                        row.put("action", space(s.actionSpace()));
                    }
                    rows.add(row);
                }));
            }
            if (json) {
                System.out.println(Json.write(rows));
            } else {
                Table t = new Table("FAMILY", "ID", "OBSERVATIONS", "ACTION", "DESCRIPTION");
                rows.forEach(r -> t.row(r.get("family"), r.get("id"),
                        r.containsKey("observations") ? text(r) : "--spec " + r.get("id"),
                        r.containsKey("action") ? r.get("action") : "", r.get("description")));
                System.out.print(t);
            }
            return 0;
        }

        private int printSpec(EnvSpec s) {
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("id", s.id());
                doc.put("observations", observations(s));
                doc.put("action", space(s.actionSpace()));
                doc.put("max_episode_steps", s.maxEpisodeSteps());
                doc.put("properties", s.properties());
                System.out.println(Json.write(doc));
                return 0;
            }
            Table t = new Table("NAME", "SPACE");
            observations(s).forEach((key, space) -> t.row("observation " + key, space));
            t.row("action", space(s.actionSpace()));
            t.row("max episode steps", s.maxEpisodeSteps() == 0 ? "unlimited" : String.valueOf(s.maxEpisodeSteps()));
            System.out.println(s.id());
            System.out.print(t);
            return 0;
        }

        /** One environment of {@code id}, opened in this process and closed once its spec is read. */
        private static EnvSpec open(String id, Map<String, String> options) {
            try (VectorEnv env = EnvRegistry.withBuiltins().create(id, 1, options)) {
                return env.spec();
            }
        }

        private static Map<String, String> observations(EnvSpec s) {
            Map<String, String> out = new LinkedHashMap<>();
            s.observationSpace().spaces().forEach((key, space) -> out.put(key, space(space)));
            return out;
        }

        @SuppressWarnings("unchecked")
        private static String text(Map<String, Object> row) {
            return ((Map<String, String>) row.get("observations")).entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        }

        /** {@code float32[64, 64, 3]}, {@code discrete(2)}. */
        static String space(Space space) {
            if (space instanceof DiscreteSpace d) {
                return "discrete(" + d.n() + ")";
            }
            if (space instanceof BoxSpace b) {
                return b.dtype().name().toLowerCase(Locale.ROOT) + Arrays.toString(b.shape());
            }
            return space.toString();
        }
    }
}
