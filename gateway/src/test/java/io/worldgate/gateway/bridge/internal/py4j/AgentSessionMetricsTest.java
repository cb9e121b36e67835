package io.worldgate.gateway.bridge.internal.py4j;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent driven from Python reports through its metrics sink too, and the session's status shows it. */
class AgentSessionMetricsTest {

    @Test
    void statusShowsWhatTheAgentReportedThroughItsSink(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp); AgentGateway gateway = new AgentGateway(f.host, BridgeConfig.defaults())) {
            TestBundles.testPlugin(f.deploy.resolve("sink-metrics.jar"), "sinkmetrics", "1.0.0");
            await("sink-metrics", 60, () -> f.host.bestFactory("sink-metrics").isPresent());
            String spec = gateway.describeEnv("java:CartPole", 1);
            try (AgentSession session = gateway.createAgentForSpec("sink-metrics", spec, null, null, 0)) {
                JsonNode trained = JsonTensors.parse(session.train(2), "train");
                assertThat(trained.path("loss").asDouble()).isEqualTo(0.5);
                session.train(3);
                JsonNode status = JsonTensors.parse(session.status(), "status");
                assertThat(status.path("metrics").path("sink/updates").asDouble()).as(status.toString()).isEqualTo(5.0);
                assertThat(status.path("metrics").path("loss").asDouble()).isEqualTo(0.2);
                Path notes = Path.of(status.path("files").path("sink/notes").asText());
                assertThat(notes).isAbsolute();
                assertThat(Files.readString(notes)).isEqualTo("trained 5");
                JsonNode frame = status.path("media").path("sink/frame");
                assertThat(frame.path("kind").asText()).as(status.toString()).isEqualTo("image");
                assertThat(frame.path("shape").toString()).isEqualTo("[8,12,3]");
                assertThat(frame.has("fps")).isFalse();
                JsonNode clip = status.path("media").path("sink/clip");
                assertThat(clip.path("kind").asText()).isEqualTo("video");
                assertThat(clip.path("shape").toString()).isEqualTo("[4,8,12,3]");
                assertThat(clip.path("fps").asDouble()).isEqualTo(5.0);
            }
        }
    }
}
