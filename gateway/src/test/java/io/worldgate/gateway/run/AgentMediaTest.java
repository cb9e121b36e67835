package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunMetricsFiles;
import io.worldgate.gateway.run.internal.metrics.TensorBoardWriterTest;
import io.worldgate.proto.tensorboard.Event;
import io.worldgate.proto.tensorboard.Summary;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real run on a real Felix: the sink-metrics test plugin reports an image and a video through its
 * metrics sink each time it trains, and they reach the TensorBoard event file, the run directory
 * ({@code images/}, {@code videos/}) and {@code metrics.jsonl}, stamped with the run's step.
 */
class AgentMediaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAgentsImagesAndVideosReachTensorBoardAndTheRunDirectory(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("sink-metrics.jar"), "sinkmetrics", "1.0.0");
            await("sink-metrics", 60, () -> f.host.bestFactory("sink-metrics").isPresent());
            Path dir = tmp.resolve("runs").resolve("media");
            // one env, 4 steps, an update every second step: train is called at two steps
            RunConfig config = new RunConfig("media", "sink-metrics", null, Map.of(), "java:CartPole", Map.of(), 1, 4, 7, 0.5,
                    0, 0, 0, 1, dir, "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = TrainingRun.builder(config, f.host, EnvRegistry.withBuiltins()).listener(events)
                    .metrics(RunMetricsFiles.open(dir, "media", null)).build().start();
            RunStatus end = run.await(Duration.ofSeconds(60));
            assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);

            // metrics.jsonl notes each image and video with its step: the steps train was called at
            List<Long> imageSteps = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                JsonNode row = JSON.readTree(line);
                if ("image".equals(row.path("kind").asText())) {
                    assertThat(row.path("tag").asText()).isEqualTo("sink/frame");
                    assertThat(row.path("shape").toString()).isEqualTo("[8,12,3]");
                    imageSteps.add(row.path("step").asLong());
                } else if ("video".equals(row.path("kind").asText())) {
                    assertThat(row.path("tag").asText()).isEqualTo("sink/clip");
                    assertThat(row.path("shape").toString()).isEqualTo("[4,8,12,3]");
                    assertThat(row.path("fps").asDouble()).isEqualTo(5.0);
                }
            }
            assertThat(imageSteps).as(events.events.toString()).hasSize(2).doesNotHaveDuplicates();

            // the files, one per call, named by tag and step
            for (long step : imageSteps) {
                BufferedImage png = ImageIO.read(dir.resolve("images").resolve("sink_frame-step" + step + ".png").toFile());
                assertThat(png.getWidth()).isEqualTo(12);
                assertThat(png.getHeight()).isEqualTo(8);
                assertThat(png.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFAFAFA); // the bright column of frame 0
                assertThat(png.getRGB(1, 0) & 0xFFFFFF).isEqualTo((20 << 16) | (50 << 8) | 80);
                TensorBoardWriterTest.Gif gif = TensorBoardWriterTest.Gif.read(
                        Files.readAllBytes(dir.resolve("videos").resolve("sink_clip-step" + step + ".gif")));
                assertThat(gif.frames()).isEqualTo(4);
                assertThat(gif.delayCs()).isEqualTo(20); // 5 fps
            }

            // TensorBoard: a PNG and a GIF image summary per call, at the same steps
            Path eventFile;
            try (Stream<Path> files = Files.list(dir)) {
                eventFile = files.filter(p -> p.getFileName().toString().contains("tfevents")).findFirst().orElseThrow();
            }
            List<Long> pngSteps = new ArrayList<>();
            List<Long> gifSteps = new ArrayList<>();
            for (Event e : TensorBoardWriterTest.readRecords(Files.readAllBytes(eventFile))) {
                for (Summary.Value v : e.getSummary().getValueList()) {
                    if (!v.hasImage()) {
                        continue;
                    }
                    Summary.Image image = v.getImage();
                    assertThat(image.getWidth()).isEqualTo(12);
                    assertThat(image.getHeight()).isEqualTo(8);
                    assertThat(image.getColorspace()).isEqualTo(3);
                    String magic = image.getEncodedImageString().substring(0, 6).toStringUtf8();
                    if (v.getTag().equals("sink/frame")) {
                        assertThat(magic.substring(1, 4)).isEqualTo("PNG");
                        pngSteps.add(e.getStep());
                    } else {
                        assertThat(v.getTag()).isEqualTo("sink/clip");
                        assertThat(magic).isEqualTo("GIF89a");
                        gifSteps.add(e.getStep());
                    }
                }
            }
            assertThat(pngSteps).isEqualTo(imageSteps);
            assertThat(gifSteps).isEqualTo(imageSteps);
        }
    }
}
