package io.worldgate.gateway.bridge.internal.py4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import py4j.GatewayServer;

/** A Python program uses a plugin agent through the Py4J gateway: the example in env-bridge-python/examples. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Py4jAgentGatewayTest {

    @Test
    void theExampleRunsAGymnasiumLoopWithTheRandomAgent(@TempDir Path tmp) throws Exception {
        Path python = Path.of(System.getProperty("worldgate.python", "../.venv/bin/python"));
        Path plugin = Path.of(System.getProperty("worldgate.test.randomPlugin", "missing"));
        assumeTrue(Files.isExecutable(python), "the env-bridge venv is missing; run env-bridge-python/install.sh");
        assumeTrue(Files.isRegularFile(plugin), "the random plugin is not built");
        Path example = Path.of("..", "env-bridge-python", "examples", "use_agent_from_python.py").toAbsolutePath().normalize();
        assertThat(example).exists();

        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(plugin, deploy.resolve("random.jar"));
        try (PluginHost host = PluginHost.start(new HostConfig(deploy, Duration.ofMillis(100)));
                AgentGateway entry = new AgentGateway(host, BridgeConfig.defaults().withWorkers(1))) {
            host.awaitSettled(Duration.ofSeconds(20));
            GatewayServer server = GatewayServers.start(entry, InetAddress.getLoopbackAddress(), 0);
            try {
                Process p = new ProcessBuilder(python.toString(), example.toString(), "--port",
                        Integer.toString(server.getListeningPort()), "--episodes", "2").redirectErrorStream(true).start();
                String out = readAll(p.getInputStream());
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out).contains("agents: random@").contains("created random@").contains("for gym:CartPole-v1")
                        .contains("episode 1:").contains("saved to").contains("return: ");
                assertThat(out).containsPattern("\"episodes\":2");
            } finally {
                server.shutdown();
            }
        }
    }

    private static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
