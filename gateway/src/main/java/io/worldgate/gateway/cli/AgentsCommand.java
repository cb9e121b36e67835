package io.worldgate.gateway.cli;

import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.gateway.cli.internal.AgentInfo;
import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate agents describe NAME}. */
@Command(name = "agents", description = "Deployed agents.", subcommands = AgentsCommand.DescribeCommand.class)
final class AgentsCommand {
    @ParentCommand
    Main main;

    @Command(name = "describe", description = "An agent's config keys with their types, defaults and ranges, and its presets"
            + " (what --set and --preset of train accept).")
    static final class DescribeCommand implements Callable<Integer> {
        @ParentCommand
        AgentsCommand parent;

        @Parameters(paramLabel = "AGENT", description = "name (its highest deployed version) or name@version")
        String agent;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            AgentInfo info;
            try (GatewayClient client = parent.main.client()) {
                info = client.describeAgent(agent);
            }
            AgentDescriptor d = info.descriptor();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("agent", info.label());
                doc.put("description", d.description());
                doc.put("config_keys", d.configKeys());
                doc.put("presets", new TreeMap<>(d.presets()));
                doc.put("default_preset", d.defaultPreset());
                doc.put("default_train_ratio", d.defaultTrainRatio());
                doc.put("training_cadence", d.cadence().name());
                System.out.println(Json.write(doc));
                return 0;
            }
            System.out.println(info.label() + ": " + d.description());
            Table t = new Table("KEY", "TYPE", "DEFAULT", "ALLOWED", "DESCRIPTION");
            for (ConfigKey k : d.configKeys()) {
                t.row(k.name(), k.type(), k.defaultValue(), allowed(k), k.description());
            }
            System.out.print(t);
            new TreeMap<>(d.presets()).forEach((name, values) -> System.out.println("preset " + name
                    + (name.equals(d.defaultPreset()) ? " (default)" : "") + ": "
                    + new TreeMap<>(values).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(" "))));
            if (d.cadence() == TrainingCadence.GENERATIONS) {
                System.out.println("training: generations driven by the agent (--train-ratio does not apply)");
            } else {
                System.out.println("train ratio without --train-ratio: " + d.defaultTrainRatio() + " updates per env step");
            }
            return 0;
        }

        private static String allowed(ConfigKey k) {
            if (!k.choices().isEmpty()) {
                return String.join("|", k.choices());
            }
            if (k.min() == null && k.max() == null) {
                return "";
            }
            return "[" + number(k.min(), "-inf") + ", " + number(k.max(), "inf") + "]";
        }

        private static String number(Double d, String none) {
            if (d == null) {
                return none;
            }
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
        }
    }
}
