package io.worldgate.gateway.run.internal.metrics;

import static io.worldgate.gateway.metrics.MetricsRegistry.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.MetricsWriter;
import io.worldgate.gateway.run.RunMetricsFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunMetricsFilesTest {
    @TempDir
    Path runDir;

    @Test
    void oneWriterFillsJsonlTensorBoardAndRegistryThenThePlot() throws IOException {
        assertThat(RunMetricsFiles.plotLearningCurve(runDir, "nothing yet")).isEmpty();
        MetricsRegistry registry = new MetricsRegistry();
        try (MetricsWriter metrics = RunMetricsFiles.open(runDir, "run-1", registry)) {
            for (int i = 1; i <= 30; i++) {
                metrics.scalar("episode/return", i * 10, i * 1000L);
            }
            metrics.scalar("eval/return", 250, 30_000);
            metrics.video("eval/policy", TestImages.movingSquare(4, 16, 16), 20, 30_000);
        }
        assertThat(Files.readAllLines(runDir.resolve("metrics.jsonl"))).hasSize(31 + 1); // the video's row
        List<Path> events;
        try (Stream<Path> files = Files.list(runDir)) {
            events = files.filter(p -> p.getFileName().toString().contains("tfevents")).toList();
        }
        assertThat(events).hasSize(1);
        assertThat(TensorBoardWriterTest.readRecords(Files.readAllBytes(events.get(0)))).hasSize(1 + 31 + 1);
        assertThat(registry.value("worldgate_run_scalar", labels("run", "run-1", "tag", "episode/return"))).hasValue(300);

        Path png = RunMetricsFiles.plotLearningCurve(runDir, "run-1").orElseThrow();
        BufferedImage plot = ImageIO.read(png.toFile());
        assertThat(plot.getWidth()).isEqualTo(960);
        assertThat(plot.getHeight()).isEqualTo(540);
    }
}
