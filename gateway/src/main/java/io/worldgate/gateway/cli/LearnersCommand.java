package io.worldgate.gateway.cli;

import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.Table;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.LearnerHandle;
import io.worldgate.gateway.host.PluginHost;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate learners list}. */
@Command(name = "learners", description = "Deployed learners: plugins that train without acting ('learn' runs them).",
        subcommands = LearnersCommand.ListCommand.class)
final class LearnersCommand {
    @ParentCommand
    Main main;

    @Command(name = "list", description = "Every deployed learner with its version, plugin and config keys (key=default).")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        LearnersCommand parent;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            try (PluginHost host = PluginHost.start(HostConfig.of(parent.main.pluginsDir))) {
                host.awaitSettled(Duration.ofSeconds(15));
                List<LearnerHandle> learners = host.learners().all();
                if (json) {
                    System.out.println(Json.write(learners.stream().map(ListCommand::doc).toList()));
                } else if (learners.isEmpty()) {
                    System.out.println("no learners deployed");
                } else {
                    Table t = new Table("LEARNER", "VERSION", "PLUGIN", "DESCRIPTION", "KEYS");
                    for (LearnerHandle h : learners) {
                        LearnerDescriptor d = h.factory().descriptor();
                        t.row(h.name(), h.version(), h.symbolicName(), d.description(), d.configKeys().stream()
                                .map(k -> k.name() + "=" + k.defaultValue()).collect(Collectors.joining(" ")));
                    }
                    System.out.print(t);
                }
            }
            return 0;
        }

        private static Map<String, Object> doc(LearnerHandle h) {
            LearnerDescriptor d = h.factory().descriptor();
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("learner", h.label());
            doc.put("plugin", h.symbolicName());
            doc.put("description", d.description());
            doc.put("observation_keys", d.observationKeys());
            doc.put("config_keys", d.configKeys().stream().map(ConfigKey::name).toList());
            doc.put("presets", d.presets());
            doc.put("default_preset", d.defaultPreset());
            return doc;
        }
    }
}
