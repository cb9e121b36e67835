package io.worldgate.gateway.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
    void timingsAndTheFailureLimitAreBounded() {
        BridgeConfig c = BridgeConfig.defaults().withEnvOptions(Map.of("bridge.call_timeout_s", "3600", "bridge.start_timeout_s",
                "0.5", "bridge.failure_window_s", "3600", "bridge.step_deadline_floor_s", "1", "bridge.max_failures", "1000"));
        assertThat(c.callTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.startTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.failureWindow()).isEqualTo(Duration.ofHours(1));
        assertThat(c.stepDeadlineFloor()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxFailures()).isEqualTo(1000);
        for (String key : List.of("call_timeout_s", "start_timeout_s", "failure_window_s", "step_deadline_floor_s")) {
            for (String v : List.of("1e12", "3600.5", "0", "-1", "0.0001", "NaN", "Infinity")) {
                assertThatThrownBy(() -> BridgeConfig.defaults().withEnvOptions(Map.of("bridge." + key, v)))
                        .as("bridge.%s=%s", key, v).isInstanceOf(EnvException.class);
            }
        }
        for (String v : List.of("0", "1001", "2147483647")) {
            assertThatThrownBy(() -> BridgeConfig.defaults().withEnvOptions(Map.of("bridge.max_failures", v)))
                    .as("bridge.max_failures=%s", v).isInstanceOf(EnvException.class);
        }
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
