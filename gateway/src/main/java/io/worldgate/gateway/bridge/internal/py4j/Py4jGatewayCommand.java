package io.worldgate.gateway.bridge.internal.py4j;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import py4j.GatewayServer;

/**
 * {@code worldgate py4j-gateway}: hosts the deployed agent plugins and lets a Python program use
 * them over Py4J. Prints one line, {@code WORLDGATE_PY4J_GATEWAY {"port": P}}, when ready, and
 * runs until the client calls {@code entry_point.shutdown()} or the process is stopped.
 */
@Command(name = "py4j-gateway", description = "Serve the deployed agent plugins to a Python program over Py4J "
        + "(see env-bridge-python/examples/use_agent_from_python.py).")
public final class Py4jGatewayCommand implements Callable<Integer> {
    /** The line the gateway prints when it listens. */
    public static final String READY_PREFIX = "WORLDGATE_PY4J_GATEWAY ";

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "25333", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--address", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String address;

    @Override
    public Integer call() throws Exception {
        Path plugins = Path.of("deploy");
        if (spec.parent() != null && spec.parent().findOption("--plugins-dir") != null) {
            Object v = spec.parent().findOption("--plugins-dir").getValue();
            if (v != null) {
                plugins = Path.of(v.toString());
            }
        }
        try (PluginHost host = PluginHost.start(HostConfig.of(plugins));
                AgentGateway entry = new AgentGateway(host, BridgeConfig.defaults())) {
            host.awaitSettled(Duration.ofSeconds(10));
            GatewayServer server = start(entry, InetAddress.getByName(address), port);
            Thread hook = new Thread(entry::close, "py4j-gateway-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                entry.awaitShutdown();
            } finally {
                server.shutdown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down already
                }
            }
        }
        return 0;
    }

    /** Starts a Py4J server for {@code entry}; prints the ready line with the port. */
    public static GatewayServer start(AgentGateway entry, InetAddress address, int port) {
        String token = System.getenv("WORLDGATE_PY4J_TOKEN");
        GatewayServer.GatewayServerBuilder b = new GatewayServer.GatewayServerBuilder(entry).javaPort(port).javaAddress(address);
        if (token != null && !token.isEmpty()) {
            b.authToken(token);
        }
        GatewayServer server = b.build();
        server.start(true);
        System.out.println(READY_PREFIX + "{\"port\":" + server.getListeningPort() + ",\"address\":\"" + address.getHostAddress()
                + "\"}");
        System.out.flush();
        return server;
    }
}
