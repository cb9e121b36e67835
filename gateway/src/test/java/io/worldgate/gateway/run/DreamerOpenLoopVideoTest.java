package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunMetricsFiles;
import io.worldgate.gateway.run.internal.metrics.TensorBoardWriterTest;
import io.worldgate.proto.tensorboard.Event;
import io.worldgate.proto.tensorboard.Summary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Dreamer bundle trains on 64x64 images in a real run: its open-loop video prediction
 * reaches TensorBoard as an animated GIF, the run's {@code videos/} folder and {@code metrics.jsonl}.
 */
class DreamerOpenLoopVideoTest {
    private static final int SIZE = 64;

    @Test
    void theOpenLoopPredictionReachesTensorBoardAsAVideo(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.dreamerPlugin(), f.deploy.resolve("dreamer.jar"), "1.0.0");
            await("dreamer", 60, () -> f.host.bestFactory("dreamer").isPresent());
            Path dir = tmp.resolve("runs").resolve("openloop");
            // 40 steps, updates from step 20 every 4th step, a video every second update
            RunConfig config = new RunConfig("openloop", "dreamer", "debug",
                    Map.of("batch_size", "4", "batch_length", "12", "video_every", "2"), "test:moving-square", Map.of(), 1, 40,
                    3, 0.25, 20, 0, 0, 1, dir, "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = TrainingRun.builder(config, f.host, EnvRegistry.withBuiltins()).listener(events)
                    .env(new MovingSquare()).metrics(RunMetricsFiles.open(dir, "openloop", null)).build().start();
            RunStatus end = run.await(Duration.ofSeconds(120));
            assertThat(end.state()).as(events.events.toString()).isEqualTo(RunState.FINISHED);
            assertThat(run.metrics()).as(events.events.toString()).doesNotContainKey("dreamer/video_failed");

            // 12 frames: real, model and error (3 x 64 high) of 4 sequences side by side (4 x 64 wide)
            List<Long> steps = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
                JsonNode row = new ObjectMapper().readTree(line);
                if ("video".equals(row.path("kind").asText())) {
                    assertThat(row.path("tag").asText()).isEqualTo("dreamer/openloop");
                    assertThat(row.path("shape").toString()).isEqualTo("[12,192,256,3]");
                    steps.add(row.path("step").asLong());
                }
            }
            assertThat(steps).as(events.events.toString()).isNotEmpty();

            for (long step : steps) {
                Path gif = dir.resolve("videos").resolve("dreamer_openloop-step" + step + ".gif");
                assertThat(TensorBoardWriterTest.Gif.read(Files.readAllBytes(gif)).frames()).isEqualTo(12);
            }
            Path eventFile;
            try (Stream<Path> files = Files.list(dir)) {
                eventFile = files.filter(p -> p.getFileName().toString().contains("tfevents")).findFirst().orElseThrow();
            }
            List<Long> summarySteps = new ArrayList<>();
            for (Event e : TensorBoardWriterTest.readRecords(Files.readAllBytes(eventFile))) {
                for (Summary.Value v : e.getSummary().getValueList()) {
                    if (v.getTag().equals("dreamer/openloop")) {
                        assertThat(v.getImage().getWidth()).isEqualTo(4 * SIZE);
                        assertThat(v.getImage().getHeight()).isEqualTo(3 * SIZE);
                        assertThat(v.getImage().getEncodedImageString().substring(0, 6).toStringUtf8()).isEqualTo("GIF89a");
                        summarySteps.add(e.getStep());
                    }
                }
            }
            assertThat(summarySteps).isEqualTo(steps);
        }
    }

    /** One endless episode of a white square moving right, one pixel a step, over a dark background. */
    private static final class MovingSquare implements VectorEnv {
        private final EnvSpec spec = new EnvSpec("test:moving-square",
                new DictSpace(Map.of(DictSpace.IMAGE, BoxSpace.image(SIZE, SIZE, 3))), new DiscreteSpace(2), 1, 1000, Map.of());
        private int t;

        @Override
        public EnvSpec spec() {
            return spec;
        }

        @Override
        public StepBatch reset(long seed) {
            t = 0;
            return batch(true);
        }

        @Override
        public StepBatch step(Tensor actions) {
            t++;
            return batch(false);
        }

        private StepBatch batch(boolean first) {
            Tensor image = Tensor.allocate(DType.UINT8, 1, SIZE, SIZE, 3);
            int x0 = t % (SIZE - 8);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    boolean in = x >= x0 && x < x0 + 8 && y >= 28 && y < 36;
                    for (int c = 0; c < 3; c++) {
                        image.setDouble(((long) y * SIZE + x) * 3 + c, in ? 255 : 20 * (c + 1));
                    }
                }
            }
            return new StepBatch(NamedTensors.of(DictSpace.IMAGE, image), new float[1], new boolean[1], new boolean[1],
                    new boolean[] {first}, new long[1]);
        }

        @Override
        public void close() {}
    }
}
