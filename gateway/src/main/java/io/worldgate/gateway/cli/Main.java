package io.worldgate.gateway.cli;

import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.GatewayClients;
import io.worldgate.gateway.cli.internal.OrderlyExit;
import io.worldgate.gateway.cli.internal.Tokens;
import io.worldgate.gateway.host.HostException;
import io.worldgate.gateway.service.NotFoundException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code worldgate} command line. */
@Command(name = "worldgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Hosts world-model RL agents as hot-swappable OSGi plugins and trains them on real simulators.",
        subcommands = {DemoCommand.class, TrainCommand.class, ServeCommand.class, RunsCommand.class, ResumeCommand.class,
                AgentsCommand.class, LearnCommand.class, LearnersCommand.class,
                SwapCommand.class, EvalCommand.class, PluginsCommand.class, EnvsCommand.class, Py4jGatewayCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--plugins-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Deploy directory watched for plugin jars (default: ${DEFAULT-VALUE}).")
    Path pluginsDir = Path.of("deploy");

    @Option(names = "--runs-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runsDir = Path.of("runs");

    @Option(names = "--gateway", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
            description = "Talk to the gateway service there (default: the one serving --runs-dir on this machine, if any).")
    String gatewayAddress;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "File holding the service's bearer token (else $WORLDGATE_TOKEN; a service of yours on this"
                    + " machine needs neither). For serve: the token to require.")
    Path tokenFile;

    /** Deprecated: the process list shows it to every user. */
    @Option(names = "--token", scope = ScopeType.INHERIT, hidden = true)
    String token;

    @Option(names = "--in-process", scope = ScopeType.INHERIT,
            description = "Run in this process even when a gateway service is running.")
    boolean inProcess;

    /** The command's shutdown hook: a command that drives a run says here how a signal stops it. */
    OrderlyExit exit;

    /** The gateway this command talks to: a running service, or one started in this process. */
    GatewayClient client() {
        return GatewayClients.connect(pluginsDir, runsDir, gatewayAddress, givenToken(), inProcess);
    }

    /** The token given through --token-file, WORLDGATE_TOKEN or the deprecated --token; null if none. */
    String givenToken() {
        return Tokens.given(tokenFile, token, System.getenv());
    }

    /** As {@link #client()}; a gateway started in this process allows the env workers the user named. */
    GatewayClient client(List<String> envWorkers) {
        return GatewayClients.connect(pluginsDir, runsDir, gatewayAddress, givenToken(), inProcess, envWorkers);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 the work failed, 2 bad input. */
    public static int run(String... args) {
        try (OrderlyExit exit = OrderlyExit.install()) {
            Main main = new Main();
            main.exit = exit;
            return run(main, args);
        }
    }

    private static int run(Main main, String... args) {
        CommandLine cli = new CommandLine(main);
        offerHelp(cli);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof EnvException || e instanceof HostException
                    || e instanceof IllegalArgumentException || e instanceof NotFoundException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            if (e instanceof IllegalStateException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** Gives every subcommand, at every level, {@code -h}/{@code --help}, as the top level has. */
    private static void offerHelp(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
            if (spec.options().stream().noneMatch(CommandLine.Model.OptionSpec::usageHelp)) {
                spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            offerHelp(sub);
        }
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
