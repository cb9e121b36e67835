package io.worldgate.gateway.cli;

import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.host.HostException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code worldgate} command line. */
@Command(name = "worldgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Hosts world-model RL agents as hot-swappable OSGi plugins and trains them on real simulators.",
        subcommands = {DemoCommand.class, TrainCommand.class, PluginsCommand.class, EnvsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--plugins-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Deploy directory watched for plugin jars (default: ${DEFAULT-VALUE}).")
    Path pluginsDir = Path.of("deploy");

    @Option(names = "--runs-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runsDir = Path.of("runs");

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 the work failed, 2 bad input. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof EnvException || e instanceof HostException
                    || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** The version from the gateway jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"worldgate " + (v == null ? "development build" : v)};
        }
    }
}
