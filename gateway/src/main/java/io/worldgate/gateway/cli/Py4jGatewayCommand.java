package io.worldgate.gateway.cli;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.Py4jAgentServer;
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

/**
 * {@code worldgate py4j-gateway}: hosts the deployed agent plugins and lets a Python program use
 * them over Py4J ({@link Py4jAgentServer}). Prints one line, {@code WORLDGATE_PY4J_GATEWAY {"port": P}},
 * when ready, and runs until the client calls {@code entry_point.shutdown()} or the process is stopped.
 */
@Command(name = "py4j-gateway", description = "Serve the deployed agent plugins to a Python program over Py4J "
        + "(see env-bridge-python/examples/use_agent_from_python.py).")
public final class Py4jGatewayCommand implements Callable<Integer> {

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
        try (PluginHost host = PluginHost.start(HostConfig.of(plugins))) {
            host.awaitSettled(Duration.ofSeconds(10));
            Py4jAgentServer.serve(host, BridgeConfig.defaults(), InetAddress.getByName(address), port);
        }
        return 0;
    }
}
