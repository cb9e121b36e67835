package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A family that only the Python side knows: the example {@code counter} family "installed" as a
 * distribution with a {@code worldgate_envs.families} entry point (its module and dist-info put on
 * the workers' Python path). The gateway lists it and runs it through real gRPC workers with no
 * line of Java about it.
 */
class PythonOnlyFamilyTest {
    private static final Path BRIDGE = Path.of("../env-bridge-python").toAbsolutePath().normalize();

    /** The bridge's Python with this checkout's worldgate_envs and the counter family installed. */
    private static BridgeConfig withCounterFamily() {
        List<String> path = new ArrayList<>(List.of(BRIDGE.resolve("tests/fixtures/installed").toString(),
                BRIDGE.resolve("examples/env_family").toString(), BRIDGE.resolve("src").toString()));
        String inherited = System.getenv("PYTHONPATH");
        if (inherited != null && !inherited.isBlank()) {
            path.add(inherited);
        }
        return BridgeConfig.defaults().withWorkers(1).withTransport(BridgeConfig.Transport.GRPC)
                .withWorkerEnvironment(Map.of("PYTHONPATH", String.join(File.pathSeparator, path)));
    }

    @Test
    void aFamilyAddedOnThePythonSideIsListedAndRunsThroughTheWorkers(@TempDir Path tmp) throws Exception {
        assumeThat(Files.isExecutable(Path.of(System.getProperty("worldgate.python", "../.venv/bin/python"))))
                .as("the env-bridge venv (env-bridge-python/install.sh)").isTrue();
        try (Gateway gateway = Gateway.start(Files.createDirectories(tmp.resolve("deploy")), tmp.resolve("runs"), withCounterFamily());
                GatewayServer server = GatewayServer.start(gateway, "127.0.0.1", 0, null);
                RemoteGatewayClient client = new RemoteGatewayClient(server.address(), server.token())) {
            Map<String, Map<String, String>> listed = client.envs();
            assertThat(listed).containsKeys("java", "dmc", "gym", "const", "counter");
            assertThat(listed.get("counter")).containsOnlyKeys("counter:5");
            EnvFactory counter = gateway.envs().families().stream().filter(f -> f.family().equals("counter")).findFirst()
                    .orElseThrow();
            assertThat(counter.servedByBridge()).isTrue();

            gateway.envs().checkOptions("counter:3", Map.of("image", "8", "bridge.workers", "1"));
            try (VectorEnv env = gateway.envs().create("counter:3", 2, Map.of("image", "8"))) {
                assertThat(env.spec().observationSpace().spaces()).containsOnlyKeys("image", "state");
                StepBatch first = env.reset(1);
                assertThat(first.observations().get("state").toFloatArray()).containsExactly(0f, 0f);
                StepBatch last = null;
                for (int t = 0; t < 3; t++) {
                    last = env.step(Tensor.ofInts(new int[] {0, 1}, 2));
                }
                assertThat(last.terminated()).containsExactly(true, true);
                assertThat(last.rewards()).containsExactly(1f, 1f);
            }
        }
    }
}
