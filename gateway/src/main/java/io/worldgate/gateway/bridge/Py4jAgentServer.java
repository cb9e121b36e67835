package io.worldgate.gateway.bridge;

import io.worldgate.gateway.bridge.internal.py4j.AgentGateway;
import io.worldgate.gateway.bridge.internal.py4j.GatewayServers;
import io.worldgate.gateway.host.PluginHost;
import java.net.InetAddress;
import py4j.GatewayServer;

/**
 * Serves the deployed agent plugins to a Python program over Py4J, the other way round from the
 * environment bridge: the program lists the agents, creates one for an env spec and drives it
 * itself (see {@code env-bridge-python/examples/use_agent_from_python.py}). What
 * {@code worldgate py4j-gateway} runs.
 */
public final class Py4jAgentServer {
    /** Starts the line the server prints when it listens, followed by {@code {"port":P,"address":"A"}}. */
    public static final String READY_PREFIX = "WORLDGATE_PY4J_GATEWAY ";

    private Py4jAgentServer() {}

    /**
     * Serves {@code host}'s agents on {@code address}, {@code port} (0: any free port) until a client
     * calls {@code entry_point.shutdown()} or the JVM stops, then closes every agent a client left
     * open. Prints the ready line to standard output when it listens. When
     * {@code WORLDGATE_PY4J_TOKEN} is set, clients must present it.
     *
     * @param bridge how the envs whose specs clients ask for are served
     */
    public static void serve(PluginHost host, BridgeConfig bridge, InetAddress address, int port) throws InterruptedException {
        try (AgentGateway entry = new AgentGateway(host, bridge)) {
            GatewayServer server = GatewayServers.start(entry, address, port);
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
    }
}
