package io.worldgate.gateway.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.GatewayServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Picks the gateway a command talks to: the one named with {@code --gateway}; else a service
 * running on this machine for the same runs directory (found through its discovery file, with
 * its pid alive); else a gateway started in this process. The token is the one the user gave
 * ({@link Tokens}), else the discovery file's when it names the same service.
 */
public final class GatewayClients {
    private GatewayClients() {}

    /** @param token the token the user gave, or null to use the discovery file's */
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
        JsonNode discovered = inProcess && gatewayAddress == null ? null : liveDiscovery(runsDir);
        if (gatewayAddress != null) {
            boolean same = discovered != null && gatewayAddress.equals(discovered.path("address").asText());
            return new RemoteGatewayClient(gatewayAddress, token != null || !same ? token : discovered.path("token").asText(null));
        }
        if (discovered != null) {
            return new RemoteGatewayClient(discovered.path("address").asText(),
                    token != null ? token : discovered.path("token").asText(null));
        }
        return new LocalGatewayClient(Gateway.start(pluginsDir, runsDir, BridgeConfig.defaults().withAllowedEnvWorkers(envWorkers)));
    }

    /**
     * The discovery file of a service serving {@code runsDir} whose process is alive, or null. Only
     * a file of this user's that nobody else may read or write is believed: the CLI sends its
     * token and its requests to the address in it, so another user's file could capture both.
     */
    private static JsonNode liveDiscovery(Path runsDir) {
        Path discovery = runsDir.resolve(GatewayServer.DISCOVERY_FILE);
        if (!Files.isRegularFile(discovery, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            String owner = Files.getOwner(discovery, LinkOption.NOFOLLOW_LINKS).getName();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(discovery, LinkOption.NOFOLLOW_LINKS);
            if (!owner.equals(System.getProperty("user.name")) || mode.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
                System.err.println("[worldgate] ignoring " + discovery + ": it must belong to you and be readable by you alone"
                        + " (owner " + owner + ", mode " + PosixFilePermissions.toString(mode) + ")");
                return null;
            }
            JsonNode doc = Json.mapper().readTree(discovery.toFile());
            long pid = doc.path("pid").asLong(-1);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? doc : null;
        } catch (IOException e) {
            // Unreadable (another user's service, or a torn file): not ours to use.
            return null;
        }
    }
}
