package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningCurvePlotTest {
    /** Plots are also left here for a person to look at. */
    private static final Path KEEP = Path.of("target", "test-plots");

    @TempDir
    Path dir;

    @Test
    void endOfRunPlotFromMetricsJsonl() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        try (JsonlMetricsWriter w = new JsonlMetricsWriter(dir)) {
            long step = 0;
            for (int episode = 0; episode < 400; episode++) {
                step += 2500;
                double skill = 850 * (1 - Math.exp(-step / 250_000.0));
                w.scalar("episode/return", Math.max(0, skill + random.nextGaussian() * 90), step);
                if (step % 100_000 == 0) {
                    w.scalar("eval/return", skill + random.nextGaussian() * 25, step);
                }
            }
        }
        Map<String, JsonlMetricsWriter.Series> scalars = JsonlMetricsWriter.readScalars(dir.resolve("metrics.jsonl"));
        Path png = dir.resolve("learning_curve.png");
        LearningCurvePlot.ofReturns("dmc:cartpole-swingup / dreamer (seed 7)", scalars).writePng(png, 960, 540);
        Files.createDirectories(KEEP);
        Files.copy(png, KEEP.resolve("learning_curve.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(540);
        assertThat(distinctColors(image)).isGreaterThan(50); // antialiased text, lines and markers
        assertThat(pixelsNear(image, LearningCurvePlot.PALETTE.get(0))).isGreaterThan(1000); // the mean line
        assertThat(pixelsNear(image, LearningCurvePlot.PALETTE.get(1))).isGreaterThan(200); // 10 eval markers
        // The title is dark ink in the top band; the plot frame's corners are where the margins say.
        assertThat(darkPixels(image, 0, 0, 960, 40)).isGreaterThan(100);
    }

    @Test
    void drawsSomethingSensibleWithOnePointOrNone() throws IOException {
        BufferedImage empty = new LearningCurvePlot("no episodes yet").render(400, 300);
        assertThat(darkPixels(empty, 0, 0, 400, 300)).isGreaterThan(100); // axes, ticks and the message
        BufferedImage one = new LearningCurvePlot("one episode")
                .line("train return", new long[] {5000}, new double[] {12.5})
                .line("second", new long[] {0, 5000}, new double[] {Double.NaN, Double.NaN})
                .render(400, 300);
        assertThat(pixelsNear(one, LearningCurvePlot.PALETTE.get(0))).isGreaterThan(10);
        Files.createDirectories(KEEP);
        ImageIO.write(one, "png", KEEP.resolve("one_point.png").toFile());
    }

    @Test
    void ticksAreRoundAndLabelsShort() {
        assertThat(LearningCurvePlot.ticks(0, 1_000_000, 8)).containsExactly(0, 200_000, 400_000, 600_000, 800_000, 1_000_000);
        assertThat(LearningCurvePlot.ticks(-3.2, 7.9, 5)).containsExactly(-2, 0, 2, 4, 6);

        double[] steps = LearningCurvePlot.ticks(0, 1_500_000, 6);
        LearningCurvePlot.TickFormat f = LearningCurvePlot.TickFormat.of(steps, 1e4);
        assertThat(f.format(0)).isEqualTo("0");
        assertThat(steps).containsExactly(0, 500_000, 1_000_000, 1_500_000);
        assertThat(f.format(steps[1])).isEqualTo("0.5M");
        assertThat(f.format(1_000_000)).isEqualTo("1.0M");
        LearningCurvePlot.TickFormat quarter = LearningCurvePlot.TickFormat.of(new double[] {0, 250_000, 500_000, 750_000, 1_000_000}, 1e4);
        assertThat(quarter.format(250_000)).isEqualTo("0.25M");
        LearningCurvePlot.TickFormat k = LearningCurvePlot.TickFormat.of(new double[] {0, 25_000, 50_000}, 1e4);
        assertThat(k.format(25_000)).isEqualTo("25k");
        LearningCurvePlot.TickFormat small = LearningCurvePlot.TickFormat.of(new double[] {0, 0.25, 0.5}, 1e6);
        assertThat(small.format(0.25)).isEqualTo("0.25");
        assertThat(small.format(-0.0)).isEqualTo("0");
        LearningCurvePlot.TickFormat plain = LearningCurvePlot.TickFormat.of(new double[] {0, 200, 400}, 1e6);
        assertThat(plain.format(400)).isEqualTo("400");
    }

    @Test
    void movingAverageSkipsGaps() {
        assertThat(LearningCurvePlot.movingAverage(new double[] {1, 3, Double.NaN, 5, 7}, 2))
                .containsExactly(1, 2, 3, 5, 6);
    }

    private static int distinctColors(BufferedImage image) {
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colors.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return colors.size();
    }

    private static int pixelsNear(BufferedImage image, Color c) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int dr = ((rgb >> 16) & 0xFF) - c.getRed();
                int dg = ((rgb >> 8) & 0xFF) - c.getGreen();
                int db = (rgb & 0xFF) - c.getBlue();
                if (dr * dr + dg * dg + db * db < 40 * 40) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int darkPixels(BufferedImage image, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                int rgb = image.getRGB(x, y);
                if (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF) < 3 * 110) {
                    n++;
                }
            }
        }
        return n;
    }
}
