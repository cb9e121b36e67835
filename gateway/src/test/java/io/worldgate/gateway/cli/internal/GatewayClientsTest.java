package io.worldgate.gateway.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI believes a service's discovery file only when it is its user's and nobody else may read or change it. */
class GatewayClientsTest {

    @Test
    void aDiscoveryFileOthersMayReadOrWriteIsNotBelieved(@TempDir Path tmp) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Path runs = tmp.resolve("runs");
        try (Gateway gateway = Gateway.start(deploy, runs);
                GatewayServer server = GatewayServer.start(gateway, "127.0.0.1", 0, null)) {
            Path discovery = runs.resolve(GatewayServer.DISCOVERY_FILE);
            try (GatewayClient client = GatewayClients.connect(deploy, runs, null, null, false)) {
                assertThat(client).as("the service's own 0600 file").isInstanceOf(RemoteGatewayClient.class);
            }
            Files.setPosixFilePermissions(discovery, PosixFilePermissions.fromString("rw-rw-rw-"));
            try (GatewayClient client = GatewayClients.connect(deploy, runs, null, null, false)) {
                assertThat(client).as("a file anyone may rewrite").isInstanceOf(LocalGatewayClient.class);
            }
        }
    }
}
