package io.worldgate.gateway.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.GatewayServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Picks the gateway a command talks to: the one named with {@code --gateway}; else a service
 * running on this machine for the same runs directory (found through its discovery file, with
 * its pid alive); else a gateway started in this process.
 */
public final class GatewayClients {
    private GatewayClients() {}

    public static GatewayClient connect(Path pluginsDir, Path runsDir, String gatewayAddress, String token, boolean inProcess) {
        return connect(pluginsDir, runsDir, gatewayAddress, token, inProcess, List.of());
    }

    /**
     * As {@link #connect(Path, Path, String, String, boolean)}; a gateway started in this process
     * allows the remote env workers {@code envWorkers} (the user's own {@code --env-worker}), while
     * a service allows only those it was started with.
     */
    public static GatewayClient connect(Path pluginsDir, Path runsDir, String gatewayAddress, String token, boolean inProcess,
            List<String> envWorkers) {
        if (gatewayAddress != null) {
            return new RemoteGatewayClient(gatewayAddress, token);
        }
        if (!inProcess) {
            Path discovery = runsDir.resolve(GatewayServer.DISCOVERY_FILE);
            if (Files.isRegularFile(discovery)) {
                try {
                    JsonNode doc = Json.mapper().readTree(discovery.toFile());
                    long pid = doc.path("pid").asLong(-1);
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        String t = token != null ? token : doc.path("token").asText(null);
                        return new RemoteGatewayClient(doc.path("address").asText(), t);
                    }
                } catch (IOException e) {
                    // An unreadable discovery file: fall back to a gateway of our own.
                }
            }
        }
        return new LocalGatewayClient(Gateway.start(pluginsDir, runsDir, BridgeConfig.defaults().withAllowedEnvWorkers(envWorkers)));
    }
}
