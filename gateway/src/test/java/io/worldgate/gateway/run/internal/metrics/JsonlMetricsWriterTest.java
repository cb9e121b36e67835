package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlMetricsWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_767_225_600_123L), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void oneParsableObjectPerLine() throws IOException {
        try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir, CLOCK)) {
            w.scalar("episode/return", 812.5, 1000);
            w.scalar("loss/model", 1e-7, 1250);
            w.scalar("tag \"quoted\" \u00e9\n", -3, 1500);
            w.scalar("loss/nan", Double.NaN, 1750);
            w.scalar("loss/inf", Double.NEGATIVE_INFINITY, 1750);
        }
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo(
                "{\"step\":1000,\"wall_time\":1767225600.123,\"tag\":\"episode/return\",\"value\":812.5}");
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.fieldNames()).toIterable().containsExactly("step", "wall_time", "tag", "value");
        assertThat(first.get("step").asLong()).isEqualTo(1000);
        assertThat(first.get("wall_time").asDouble()).isEqualTo(1_767_225_600.123);
        assertThat(first.get("tag").asText()).isEqualTo("episode/return");
        assertThat(first.get("value").asDouble()).isEqualTo(812.5);
        assertThat(JSON.readTree(lines.get(1)).get("value").asDouble()).isEqualTo(1e-7);
        assertThat(JSON.readTree(lines.get(2)).get("tag").asText()).isEqualTo("tag \"quoted\" \u00e9\n");
        assertThat(JSON.readTree(lines.get(3)).get("value").asText()).isEqualTo("NaN"); // valid JSON, a string
        assertThat(JSON.readTree(lines.get(4)).get("value").asText()).isEqualTo("-Infinity");
    }

    @Test
    void imagesAndVideosAreTypedRowsThatScalarReadersPassOver() throws IOException {
        try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir, CLOCK)) {
            w.scalar("loss/model", 0.5, 100);
            w.image("obs/rgb", TestImages.gradient(4, 6, 3), 100);
            w.video("dreamer/openloop", TestImages.movingSquare(5, 8, 12), 12.5, 200);
        }
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(3);
        JsonNode image = JSON.readTree(lines.get(1));
        assertThat(image.fieldNames()).toIterable().containsExactly("step", "wall_time", "tag", "kind", "shape");
        assertThat(image.get("kind").asText()).isEqualTo("image");
        assertThat(image.get("step").asLong()).isEqualTo(100);
        assertThat(JSON.convertValue(image.get("shape"), int[].class)).containsExactly(4, 6, 3);
        JsonNode video = JSON.readTree(lines.get(2));
        assertThat(video.get("kind").asText()).isEqualTo("video");
        assertThat(video.get("tag").asText()).isEqualTo("dreamer/openloop");
        assertThat(JSON.convertValue(video.get("shape"), int[].class)).containsExactly(5, 8, 12, 3);
        assertThat(video.get("fps").asDouble()).isEqualTo(12.5);

        assertThat(JsonlMetricsWriter.readScalars(dir.resolve("metrics.jsonl"))).containsOnlyKeys("loss/model");
        JsonlMetricsWriter.dropAfter(dir, 100); // a resume from step 100 drops the video, keeps the image
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).containsExactly(lines.get(0), lines.get(1));
        // what a resume takes out is kept aside, not lost
        assertThat(Files.readAllLines(dir.resolve(JsonlMetricsWriter.DROPPED_FILE_NAME))).containsExactly(lines.get(2));
    }

    @Test
    void readsBackSeriesSkippingATornLastLine() throws IOException {
        try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir, CLOCK)) {
            w.scalar("episode/return", 10, 100);
            w.scalar("eval/return", 15, 150);
            w.scalar("episode/return", Double.NaN, 200);
        }
        try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir, CLOCK)) { // a resumed run appends
            w.scalar("episode/return", 30, 300);
        }
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":400,\"wall_ti", StandardOpenOption.APPEND);

        Map<String, JsonlMetricsWriter.Series> series = JsonlMetricsWriter.readScalars(dir.resolve("metrics.jsonl"));
        assertThat(series.keySet()).containsExactly("episode/return", "eval/return");
        assertThat(series.get("episode/return").steps()).containsExactly(100, 200, 300);
        assertThat(series.get("episode/return").values()).containsExactly(10, Double.NaN, 30);
        assertThat(series.get("eval/return").values()).containsExactly(15);
    }

    @Test
    void linesReachTheDiskWithinASecondWithoutFlushOrClose() throws Exception {
        JsonlMetricsWriter w = new JsonlMetricsWriter(dir);
        try {
            w.scalar("episode/return", 1, 1);
            Path file = dir.resolve("metrics.jsonl");
            assertThat(Files.size(file)).isZero(); // buffered
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (Files.size(file) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("\"episode/return\"").endsWith("\n");
        } finally {
            w.close();
        }
        assertThatThrownBy(() -> w.scalar("x", 1, 1)).isInstanceOf(IllegalStateException.class);
    }
}
