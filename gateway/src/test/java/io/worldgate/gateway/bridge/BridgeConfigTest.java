package io.worldgate.gateway.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bridge options a run request may carry: env workers only from the gateway's allow-list, and bounded sizes. */
class BridgeConfigTest {

    @Test
    void aRequestCannotNameAnEnvWorkerTheGatewayDoesNotAllow() {
        assertThatThrownBy(() -> BridgeConfig.defaults().withEnvOptions(Map.of("bridge.env_workers", "169.254.169.254:80")))
                .isInstanceOfSatisfying(EnvWorkerNotAllowedException.class,
                        e -> assertThat(e.address()).isEqualTo("169.254.169.254:80"));
        BridgeConfig allowing = BridgeConfig.defaults().withAllowedEnvWorkers(List.of("127.0.0.1:5001", "127.0.0.1:5002"));
        assertThatThrownBy(() -> allowing.withEnvOptions(Map.of("bridge.env_workers", "127.0.0.1:5001,10.0.0.1:22")))
                .isInstanceOfSatisfying(EnvWorkerNotAllowedException.class, e -> assertThat(e.address()).isEqualTo("10.0.0.1:22"));
    }

    @Test
    void allowedEnvWorkersAreUsedOverGrpc() {
        BridgeConfig allowing = BridgeConfig.defaults().withAllowedEnvWorkers(List.of("127.0.0.1:5001", "127.0.0.1:5002"));
        BridgeConfig c = allowing.withEnvOptions(Map.of("bridge.env_workers", "127.0.0.1:5002, 127.0.0.1:5001"));
        assertThat(c.remoteWorkers()).containsExactly("127.0.0.1:5002", "127.0.0.1:5001");
        assertThat(c.transport()).isEqualTo(BridgeConfig.Transport.GRPC);
    }

    @Test
    void theWorkerCountIsCapped() {
        assertThat(BridgeConfig.defaults().withEnvOptions(Map.of("bridge.workers", "64")).workers()).isEqualTo(64);
        assertThatThrownBy(() -> BridgeConfig.defaults().withEnvOptions(Map.of("bridge.workers", "4096")))
                .isInstanceOf(EnvException.class).hasMessageContaining("[0, " + BridgeConfig.MAX_WORKERS + "]");
    }

    @Test
    void imageSizesAreCapped() {
        BridgeConfig.checkSimulatorLimits(Map.of("size", "512", "render_size", "256", "image", "64", "obs", "both"));
        for (String key : BridgeConfig.IMAGE_SIZE_OPTIONS) {
            assertThatThrownBy(() -> BridgeConfig.checkSimulatorLimits(Map.of(key, "100000")))
                    .isInstanceOf(EnvException.class).hasMessageContaining(key + "=100000");
        }
    }
}
