package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.gateway.run.RunScalars;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A PNG line chart of a run's learning curve, drawn with Java2D (works headless): episode return
 * against env step, with optional further series such as a moving average or evaluation points.
 * Axes get "nice" ticks (1, 2 or 5 times a power of ten), step labels are shortened to k/M/G,
 * and the legend goes into the corner with the least data.
 *
 * <pre>{@code
 * new LearningCurvePlot("cartpole-swingup / dreamer")
 *         .line("train return", steps, returns)
 *         .points("eval return", evalSteps, evalReturns)
 *         .writePng(runDir.resolve("learning_curve.png"), 960, 540);
 * }</pre>
 */
public final class LearningCurvePlot {
    /** Colors given to series in order: blue, orange, green, red, purple, brown, pink, gray. */
    public static final List<Color> PALETTE = List.of(new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f));

    /** How a series is drawn. */
    public enum Style {
        /** A solid line, 2 px. */
        LINE,
        /** A thin translucent line, for noisy raw data under its smoothed version. */
        FAINT_LINE,
        /** Round markers, for sparse points such as evaluations. */
        POINTS
    }

    private record Series(String name, long[] steps, double[] values, Color color, Style style) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    /** A plot of episode return against env step. */
    public LearningCurvePlot(String title) {
        this(title, "env step", "episode return");
    }

    public LearningCurvePlot(String title, String xLabel, String yLabel) {
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
    }

    /** Adds a solid line in the next palette color. */
    public LearningCurvePlot line(String name, long[] steps, double[] values) {
        return add(name, steps, values, nextColor(), Style.LINE);
    }

    /** Adds round markers in the next palette color. */
    public LearningCurvePlot points(String name, long[] steps, double[] values) {
        return add(name, steps, values, nextColor(), Style.POINTS);
    }

    /** Adds a series; NaN and infinite values are skipped (a line breaks there). */
    public LearningCurvePlot add(String name, long[] steps, double[] values, Color color, Style style) {
        if (steps.length != values.length) {
            throw new IllegalArgumentException(name + ": " + steps.length + " steps but " + values.length + " values");
        }
        series.add(new Series(name, steps.clone(), values.clone(), color, style));
        return this;
    }

    private Color nextColor() {
        return PALETTE.get((int) series.stream().filter(s -> s.style != Style.FAINT_LINE).count() % PALETTE.size());
    }

    /**
     * The usual end-of-run plot from scalars read back from {@code metrics.jsonl}: raw training
     * returns (faint), their moving average, and evaluation returns as points when present.
     */
    public static LearningCurvePlot ofReturns(String title, Map<String, JsonlMetricsWriter.Series> scalars) {
        LearningCurvePlot plot = new LearningCurvePlot(title);
        JsonlMetricsWriter.Series train = scalars.get(RunScalars.EPISODE_RETURN);
        if (train != null && train.size() > 0) {
            int window = Math.max(1, Math.min(100, train.size() / 20));
            Color color = PALETTE.get(0);
            if (window > 1) {
                plot.add("train return", train.steps(), train.values(), color, Style.FAINT_LINE);
                plot.add("train return, mean of " + window, train.steps(), movingAverage(train.values(), window), color,
                        Style.LINE);
            } else {
                plot.add("train return", train.steps(), train.values(), color, Style.LINE);
            }
        }
        JsonlMetricsWriter.Series eval = scalars.get(RunScalars.EVAL_RETURN);
        if (eval != null && eval.size() > 0) {
            plot.add("eval return", eval.steps(), eval.values(), PALETTE.get(1), Style.POINTS);
        }
        return plot;
    }

    /** Trailing mean over the last {@code window} finite values (fewer at the start). */
    public static double[] movingAverage(double[] values, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, not " + window);
        }
        double[] out = new double[values.length];
        double sum = 0;
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                sum += values[i];
                count++;
            }
            int drop = i - window;
            if (drop >= 0 && Double.isFinite(values[drop])) {
                sum -= values[drop];
                count--;
            }
            out[i] = count == 0 ? Double.NaN : sum / count;
        }
        return out;
    }

    /** Writes the plot as a PNG file. */
    public void writePng(Path file, int width, int height) throws IOException {
        Images.writePng(render(width, height), file);
    }

    /** Draws the plot. */
    public BufferedImage render(int width, int height) {
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("a plot needs at least 200 x 150 pixels, not " + width + " x " + height);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    // ------------------------------------------------------------------------------------------
    // Drawing

    private static final Color INK = new Color(0x222222);
    private static final Color GRID = new Color(0xe4e4e4);
    private static final Color FRAME = new Color(0x888888);

    private void draw(Graphics2D g, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);

        Range xr = xRange();
        Range yr = yRange();
        double[] xTicks = ticks(xr.min, xr.max, Math.max(3, (width - 200) / 110));
        double[] yTicks = ticks(yr.min, yr.max, Math.max(3, (height - 150) / 60));
        TickFormat xFormat = TickFormat.of(xTicks, 1e4);
        TickFormat yFormat = TickFormat.of(yTicks, 1e6);

        FontMetrics tm = g.getFontMetrics(tickFont);
        FontMetrics lm = g.getFontMetrics(labelFont);
        FontMetrics ttm = g.getFontMetrics(titleFont);
        int yTickWidth = 0;
        for (double t : yTicks) {
            yTickWidth = Math.max(yTickWidth, tm.stringWidth(yFormat.format(t)));
        }
        int left = 16 + lm.getHeight() + 8 + yTickWidth + 8;
        int right = 24 + tm.stringWidth(xFormat.format(xTicks[xTicks.length - 1])) / 2;
        int top = 16 + ttm.getHeight() + 10;
        int bottom = 8 + tm.getHeight() + 8 + lm.getHeight() + 12;
        Rectangle plot = new Rectangle(left, top, width - left - right, height - top - bottom);
        Mapper m = new Mapper(plot, xr, yr);

        // Grid and tick labels.
        g.setStroke(new BasicStroke(1f));
        g.setFont(tickFont);
        for (double t : xTicks) {
            double x = m.x(t);
            g.setColor(GRID);
            g.draw(new Line2D.Double(x, plot.y, x, plot.y + plot.height));
            g.setColor(FRAME);
            g.draw(new Line2D.Double(x, plot.y + plot.height, x, plot.y + plot.height + 5));
            String s = xFormat.format(t);
            g.setColor(INK);
            g.drawString(s, (float) (x - tm.stringWidth(s) / 2.0), plot.y + plot.height + 8 + tm.getAscent());
        }
        for (double t : yTicks) {
            double y = m.y(t);
            g.setColor(GRID);
            g.draw(new Line2D.Double(plot.x, y, plot.x + plot.width, y));
            g.setColor(FRAME);
            g.draw(new Line2D.Double(plot.x - 5, y, plot.x, y));
            String s = yFormat.format(t);
            g.setColor(INK);
            g.drawString(s, plot.x - 8 - tm.stringWidth(s), (float) (y + tm.getAscent() / 2.0 - 1));
        }
        g.setColor(FRAME);
        g.drawRect(plot.x, plot.y, plot.width, plot.height);

        // Title and axis labels.
        g.setColor(INK);
        g.setFont(titleFont);
        g.drawString(title, (width - ttm.stringWidth(title)) / 2f, 16 + ttm.getAscent());
        g.setFont(labelFont);
        g.drawString(xLabel, plot.x + (plot.width - lm.stringWidth(xLabel)) / 2f, height - 12 - lm.getDescent());
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(plot.y + (plot.height + lm.stringWidth(yLabel)) / 2f), 16 + lm.getAscent());
        g.setTransform(saved);

        // Data, clipped to the plot area.
        Shape clip = g.getClip();
        g.clip(new Rectangle(plot.x + 1, plot.y + 1, plot.width - 1, plot.height - 1));
        boolean any = false;
        for (Series s : series) {
            any |= drawSeries(g, s, m);
        }
        g.setClip(clip);
        if (!any) {
            g.setFont(labelFont);
            g.setColor(FRAME);
            String none = "no data yet";
            g.drawString(none, plot.x + (plot.width - lm.stringWidth(none)) / 2f, plot.y + plot.height / 2f);
        } else {
            drawLegend(g, plot, m, tickFont);
        }
    }

    /** Draws one series; whether it had any finite point. */
    private static boolean drawSeries(Graphics2D g, Series s, Mapper m) {
        g.setColor(s.color);
        int finite = 0;
        if (s.style == Style.POINTS) {
            for (int i = 0; i < s.values.length; i++) {
                if (Double.isFinite(s.values[i])) {
                    marker(g, m.x(s.steps[i]), m.y(s.values[i]), s.color);
                    finite++;
                }
            }
            return finite > 0;
        }
        boolean faint = s.style == Style.FAINT_LINE;
        g.setStroke(new BasicStroke(faint ? 1f : 2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        var composite = g.getComposite();
        if (faint) {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.35f));
        }
        Path2D.Double path = new Path2D.Double();
        boolean penDown = false;
        double lastX = 0;
        double lastY = 0;
        for (int i = 0; i < s.values.length; i++) {
            if (!Double.isFinite(s.values[i])) {
                penDown = false;
                continue;
            }
            lastX = m.x(s.steps[i]);
            lastY = m.y(s.values[i]);
            if (penDown) {
                path.lineTo(lastX, lastY);
            } else {
                path.moveTo(lastX, lastY);
                penDown = true;
            }
            finite++;
        }
        g.draw(path);
        if (finite == 1) {
            g.fill(new Ellipse2D.Double(lastX - 3, lastY - 3, 6, 6));
        }
        g.setComposite(composite);
        return finite > 0;
    }

    private static void marker(Graphics2D g, double x, double y, Color color) {
        Ellipse2D.Double dot = new Ellipse2D.Double(x - 4.5, y - 4.5, 9, 9);
        g.setColor(color);
        g.fill(dot);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(1.2f));
        g.draw(dot);
    }

    private void drawLegend(Graphics2D g, Rectangle plot, Mapper m, Font font) {
        List<Series> series = this.series.stream()
                .filter(s -> Arrays.stream(s.values).anyMatch(Double::isFinite)).toList();
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int row = fm.getHeight() + 4;
        int swatch = 24;
        int w = 0;
        for (Series s : series) {
            w = Math.max(w, fm.stringWidth(s.name));
        }
        w += swatch + 6 + 20;
        int h = series.size() * row + 10;
        // The corner whose box covers the fewest data points.
        int[][] corners = {{plot.x + 10, plot.y + 10}, {plot.x + plot.width - 10 - w, plot.y + 10},
                {plot.x + 10, plot.y + plot.height - 10 - h}, {plot.x + plot.width - 10 - w, plot.y + plot.height - 10 - h}};
        int best = 0;
        long bestCount = Long.MAX_VALUE;
        for (int c = 0; c < corners.length; c++) {
            Rectangle box = new Rectangle(corners[c][0], corners[c][1], w, h);
            long count = 0;
            for (Series s : series) {
                for (int i = 0; i < s.values.length; i++) {
                    if (Double.isFinite(s.values[i]) && box.contains(m.x(s.steps[i]), m.y(s.values[i]))) {
                        count++;
                    }
                }
            }
            if (count < bestCount) {
                best = c;
                bestCount = count;
            }
        }
        int x = corners[best][0];
        int y = corners[best][1];
        var composite = g.getComposite();
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.88f));
        g.setColor(Color.WHITE);
        g.fillRoundRect(x, y, w, h, 6, 6);
        g.setComposite(composite);
        g.setColor(GRID.darker());
        g.setStroke(new BasicStroke(1f));
        g.drawRoundRect(x, y, w, h, 6, 6);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int cy = y + 5 + i * row + row / 2;
            int sx = x + 10;
            if (s.style == Style.POINTS) {
                marker(g, sx + swatch / 2.0, cy, s.color);
            } else {
                g.setColor(s.color);
                var c = g.getComposite();
                if (s.style == Style.FAINT_LINE) {
                    g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.35f));
                }
                g.setStroke(new BasicStroke(s.style == Style.LINE ? 2f : 1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(new Line2D.Double(sx, cy, sx + swatch, cy));
                g.setComposite(c);
            }
            g.setColor(INK);
            g.drawString(s.name, sx + swatch + 6, cy + fm.getAscent() / 2f - 1);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Scales

    private record Range(double min, double max) {}

    private record Mapper(Rectangle plot, Range xr, Range yr) {
        double x(double v) {
            return plot.x + (v - xr.min) / (xr.max - xr.min) * plot.width;
        }

        double y(double v) {
            return plot.y + plot.height - (v - yr.min) / (yr.max - yr.min) * plot.height;
        }
    }

    /** Steps from 0 (or the smallest step, if negative) to the largest, with 2% room either side for markers. */
    private Range xRange() {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.steps.length; i++) {
                if (Double.isFinite(s.values[i])) {
                    min = Math.min(min, s.steps[i]);
                    max = Math.max(max, s.steps[i]);
                }
            }
        }
        if (min > max) {
            return new Range(0, 1);
        }
        min = Math.min(0, min);
        if (max <= min) {
            max = min + 1;
        }
        double pad = (max - min) * 0.02;
        return new Range(min - pad, max + pad);
    }

    /** Finite values with 5% headroom above and below. */
    private Range yRange() {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.values) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            return new Range(0, 1);
        }
        if (max == min) {
            double pad = Math.max(1, Math.abs(min) * 0.1);
            return new Range(min - pad, max + pad);
        }
        double pad = (max - min) * 0.05;
        return new Range(min - pad, max + pad);
    }

    /**
     * Ticks at the multiples of 1, 2 or 5 times a power of ten inside [min, max] whose count is
     * closest to {@code target} (the wider spacing on a tie).
     */
    static double[] ticks(double min, double max, int target) {
        double power = Math.pow(10, Math.floor(Math.log10((max - min) / Math.max(1, target))));
        double best = Double.NaN;
        long bestMiss = Long.MAX_VALUE;
        for (double p : new double[] {power / 10, power, power * 10}) {
            for (int f : new int[] {1, 2, 5}) {
                double step = f * p;
                long count = (long) Math.floor(max / step + 1e-9) - (long) Math.ceil(min / step - 1e-9) + 1;
                long miss = Math.abs(count - target);
                if (miss < bestMiss || (miss == bestMiss && step > best)) {
                    best = step;
                    bestMiss = miss;
                }
            }
        }
        List<Double> ticks = new ArrayList<>();
        for (long k = (long) Math.ceil(min / best - 1e-9); k * best <= max + best * 1e-9; k++) {
            ticks.add(k * best);
        }
        if (ticks.isEmpty()) {
            ticks.add(min);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * How the ticks of one axis are labelled: the same unit (none, k, M or G) and number of
     * decimals for all, just enough decimals for the tick spacing. The unit kicks in once the
     * largest tick reaches {@code compactFrom}.
     */
    record TickFormat(double unit, String suffix, int decimals) {
        static TickFormat of(double[] ticks, double compactFrom) {
            double maxAbs = 0;
            for (double t : ticks) {
                maxAbs = Math.max(maxAbs, Math.abs(t));
            }
            double unit = 1;
            String suffix = "";
            if (maxAbs >= compactFrom) {
                if (maxAbs >= 1e9) {
                    unit = 1e9;
                    suffix = "G";
                } else if (maxAbs >= 1e6) {
                    unit = 1e6;
                    suffix = "M";
                } else if (maxAbs >= 1e3) {
                    unit = 1e3;
                    suffix = "k";
                }
            }
            double step = ticks.length > 1 ? (ticks[1] - ticks[0]) / unit : 1;
            int decimals = 0;
            while (decimals < 10) {
                double scaled = step * Math.pow(10, decimals);
                if (Math.abs(scaled - Math.rint(scaled)) < 1e-6 * Math.max(1, scaled)) {
                    break;
                }
                decimals++;
            }
            return new TickFormat(unit, suffix, decimals);
        }

        String format(double value) {
            String text = String.format(Locale.ROOT, "%." + decimals + "f", value / unit);
            if (Double.parseDouble(text) == 0) {
                return "0";
            }
            return text + suffix;
        }
    }
}
