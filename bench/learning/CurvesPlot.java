import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Several runs' evaluation curves in one plot: return over env steps, one line per CSV, one colour
 * per variant (the MAE experiment's encoders, fp32 against bf16, ...). Run as a single source file
 * (no build):
 *
 * <pre>java [-Dtitle=TITLE] bench/learning/CurvesPlot.java OUT.png [VARIANT=]CURVE.csv ...</pre>
 *
 * The title defaults to the MAE experiment's.
 * Each CSV is bench/learning/export_curve.py's (agent_step, env_steps, wall_hours, eval_return[, eval_success]);
 * only the return is drawn.
 * Without {@code VARIANT=} the variant is the file name less a {@code mae-} prefix and a
 * {@code -seedS} suffix (the MAE experiment's {@code mae-VARIANT-seedS.csv}).
 */
public class CurvesPlot {
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x7f7f7f), new Color(0x9467bd), new Color(0xff7f0e)};
    private static final int W = 900;
    private static final int H = 540;
    private static final int LEFT = 70;
    private static final int RIGHT = 230;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    record Curve(String variant, String label, List<double[]> points) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java bench/learning/CurvesPlot.java OUT.png [VARIANT=]CURVE.csv ...");
            System.exit(2);
        }
        List<Curve> curves = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            Path csv = Path.of(eq < 0 ? arg : arg.substring(eq + 1));
            String name = csv.getFileName().toString().replaceFirst("\\.csv$", "");
            String variant = eq < 0 ? name.replaceFirst("^mae-", "").replaceFirst("-seed\\d+$", "") : arg.substring(0, eq);
            List<double[]> points = new ArrayList<>();
            List<String> lines = Files.readAllLines(csv);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.split(",");
                // an evaluation without episodes (cut short by a stop) is exported as nan: no point
                if (f.length >= 4 && !f[3].trim().equalsIgnoreCase("nan")) {
                    points.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[3])});
                }
            }
            curves.add(new Curve(variant, eq < 0 ? name.replaceFirst("^mae-", "") : variant, points));
        }
        double maxX = 1;
        double minY = 0;
        double maxY = 1;
        for (Curve c : curves) {
            for (double[] p : c.points()) {
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxY = niceCeiling(maxY);
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        g.setColor(Color.BLACK);
        g.drawString(System.getProperty("title", "dmc:cartpole-swingup, 64x64 pixels: Dreamer's evaluation return by image encoder"),
                LEFT, 22);
        for (int t = 0; t <= 5; t++) {
            double x = maxX * t / 5;
            double y = minY + (maxY - minY) * t / 5;
            int px = LEFT + pw * t / 5;
            int py = TOP + ph - ph * t / 5;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT + 1, py, LEFT + pw - 1, py);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%,.0f", x), px - 15, TOP + ph + 18);
            g.drawString(String.format("%.0f", y), LEFT - 40, py + 4);
        }
        g.drawRect(LEFT, TOP, pw, ph);
        g.drawString("env steps", LEFT + pw / 2 - 25, H - 18);
        g.drawString("return", 10, TOP - 8);
        Map<String, Color> colours = new LinkedHashMap<>();
        int legend = 0;
        for (Curve c : curves) {
            Color colour = colours.computeIfAbsent(c.variant(), v -> COLOURS[colours.size() % COLOURS.length]);
            g.setColor(colour);
            g.setStroke(new BasicStroke(2f));
            int[] xs = new int[c.points().size()];
            int[] ys = new int[c.points().size()];
            for (int i = 0; i < xs.length; i++) {
                double[] p = c.points().get(i);
                xs[i] = LEFT + (int) Math.round(pw * p[0] / maxX);
                ys[i] = TOP + ph - (int) Math.round(ph * (p[1] - minY) / (maxY - minY));
                g.fillOval(xs[i] - 3, ys[i] - 3, 6, 6);
            }
            g.drawPolyline(xs, ys, xs.length);
            int ly = TOP + 10 + 18 * legend++;
            g.drawLine(LEFT + pw + 15, ly, LEFT + pw + 40, ly);
            g.setColor(Color.BLACK);
            g.drawString(c.label(), LEFT + pw + 46, ly + 4);
        }
        g.dispose();
        Path out = Path.of(args[0]);
        ImageIO.write(image, "png", out.toFile());
        System.out.println(curves.size() + " curves -> " + out);
    }

    private static double niceCeiling(double y) {
        double step = Math.pow(10, Math.floor(Math.log10(Math.max(y, 1e-9))));
        return Math.ceil(y / step) * step;
    }
}
