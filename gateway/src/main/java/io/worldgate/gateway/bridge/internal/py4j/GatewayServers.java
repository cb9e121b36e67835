package io.worldgate.gateway.bridge.internal.py4j;

import io.worldgate.gateway.bridge.Py4jAgentServer;
import java.net.InetAddress;
import py4j.GatewayServer;

/**
 * Starts Py4J servers for an {@link AgentGateway}. Kept off the entry point itself, whose public
 * methods every Py4J client may call.
 */
public final class GatewayServers {
    private GatewayServers() {}

    /**
     * Starts a Py4J server for {@code entry} on {@code address}, {@code port} (0: any free one) and
     * prints {@link Py4jAgentServer#READY_PREFIX} with the port. Clients must present
     * {@code WORLDGATE_PY4J_TOKEN} when it is set.
     */
    public static GatewayServer start(AgentGateway entry, InetAddress address, int port) {
        String token = System.getenv("WORLDGATE_PY4J_TOKEN");
        GatewayServer.GatewayServerBuilder b = new GatewayServer.GatewayServerBuilder(entry).javaPort(port).javaAddress(address);
        if (token != null && !token.isEmpty()) {
            b.authToken(token);
        }
        GatewayServer server = b.build();
        server.start(true);
        System.out.println(Py4jAgentServer.READY_PREFIX + "{\"port\":" + server.getListeningPort() + ",\"address\":\""
                + address.getHostAddress() + "\"}");
        System.out.flush();
        return server;
    }
}
