import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A Dreamer learning curve through the gateway's own training loop (a real plugin host with the
 * dreamer bundle from a deploy directory, the host's experience and evaluation): evaluates every
 * {@code --eval-every} env steps and writes {@code <out>.csv} (step, wall seconds, mean
 * evaluation return, episodes, updates) and {@code <out>.png} (return against env steps, with wall
 * time on a second axis), updating both after every evaluation so a run cut short still leaves
 * its curve.
 *
 * <pre>
 *   java -cp ... DreamerLearningBench --env java:CartPole --steps 50000 --preset debug --train-ratio 0.25 \
 *       --prefill 1000 --envs 4 --eval-every 2000 --eval-episodes 10 --seed 0 --deploy deploy --out bench/results/x
 *       [--set key=value ...] [--env-option key=value ...] [--goal 400] [--stop-at-goal]
 * </pre>
 */
public final class DreamerLearningBench {
    /** Env frames per agent step (DMC 2, Atari 4), for the axis label. */
    static int actionRepeat = 1;

    private DreamerLearningBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        Map<String, String> sets = new LinkedHashMap<>();
        Map<String, String> envOptions = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (k.equals("--stop-at-goal")) {
                a.put("stop-at-goal", "true");
            } else if (k.equals("--set") || k.equals("--env-option")) {
                String[] kv = args[++i].split("=", 2);
                (k.equals("--set") ? sets : envOptions).put(kv[0], kv[1]);
            } else if (k.startsWith("--")) {
                a.put(k.substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected " + k);
            }
        }
        String env = a.getOrDefault("env", "java:CartPole");
        long steps = Long.parseLong(a.getOrDefault("steps", "50000"));
        String preset = a.getOrDefault("preset", "debug");
        double ratio = Double.parseDouble(a.getOrDefault("train-ratio", "0.25"));
        long prefill = Long.parseLong(a.getOrDefault("prefill", "1000"));
        int envs = Integer.parseInt(a.getOrDefault("envs", "4"));
        long evalEvery = Long.parseLong(a.getOrDefault("eval-every", "2000"));
        int evalEpisodes = Integer.parseInt(a.getOrDefault("eval-episodes", "10"));
        long seed = Long.parseLong(a.getOrDefault("seed", "0"));
        double goal = Double.parseDouble(a.getOrDefault("goal", "NaN"));
        boolean stopAtGoal = a.containsKey("stop-at-goal");
        Path deploy = Path.of(a.getOrDefault("deploy", "deploy"));
        Path out = Path.of(a.getOrDefault("out", "bench/results/dreamer-learning"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        actionRepeat = Integer.parseInt(a.getOrDefault("action-repeat", "1"));
        String title = "dreamer (" + preset + ") on " + env + ", seed " + seed + ", train ratio " + ratio
                + (actionRepeat > 1 ? ", action repeat " + actionRepeat : "");
        if (a.containsKey("replot")) {
            // redraws OUT.png from a CSV this benchmark wrote (e.g. after a change to the plot)
            List<double[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(a.get("replot")))) {
                if (!line.isBlank() && Character.isDigit(line.charAt(0))) {
                    rows.add(java.util.Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
                }
            }
            ImageIO.write(plot(a.getOrDefault("title", title), rows, goal), "png", Path.of(out + ".png").toFile());
            return;
        }

        try (PluginHost host = PluginHost.start(new HostConfig(deploy, Duration.ofMillis(500)))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (host.bestFactory("dreamer").isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no dreamer plugin in " + deploy + " (run ./worldgate build first)");
                }
                Thread.sleep(100);
            }
            Path runDir = Files.createTempDirectory("dreamer-learning-");
            RunConfig config = new RunConfig("bench", "dreamer", preset, sets, env, envOptions, envs, steps, seed, ratio,
                    prefill, 0, evalEvery, evalEpisodes, runDir, "cpu");
            List<double[]> rows = new ArrayList<>();
            long t0 = System.nanoTime();
            TrainingRun[] holder = new TrainingRun[1];
            RunListener listener = new RunListener() {
                @Override
                public void onEvent(RunStatus status, String event) {
                    if (event.startsWith("evaluation: mean return")) {
                        double wall = (System.nanoTime() - t0) / 1e9;
                        List<double[]> evals = holder[0] == null ? List.of() : holder[0].evaluations();
                        if (evals.isEmpty()) {
                            return;
                        }
                        double[] last = evals.get(evals.size() - 1);
                        double[] row = {last[0], wall, last[1], status.episodes(), status.updates()};
                        synchronized (rows) {
                            rows.add(row);
                            try {
                                write(out, title, rows, goal);
                            } catch (IOException e) {
                                System.err.println("cannot write results: " + e);
                            }
                        }
                        Map<String, Double> m = holder[0].metrics();
                        StringBuilder diag = new StringBuilder();
                        for (String k : List.of("loss/model", "loss/reward", "loss/cont", "loss/kl_dyn", "actor/entropy",
                                "critic/value_mean", "return_norm/scale", "time/update_ms")) {
                            if (m.containsKey(k)) {
                                diag.append(String.format(Locale.ROOT, "  %s %.3g", k, m.get(k)));
                            }
                        }
                        System.out.printf(Locale.ROOT, "step %,d  wall %.0f s  updates %,d  eval return %.1f |%s%n",
                                (long) row[0], wall, (long) row[4], row[2], diag);
                        if (stopAtGoal && row[2] >= goal) {
                            holder[0].stop();
                        }
                    } else if (event.contains("failed") || event.contains("paused")) {
                        System.err.println("event: " + event);
                    }
                }
            };
            TrainingRun run = TrainingRun.builder(config, host, EnvRegistry.withBuiltins()).listener(listener).build();
            holder[0] = run;
            run.start();
            RunStatus end = run.await(Duration.ofDays(7));
            System.out.printf(Locale.ROOT, "%s: %s after %.0f s; results in %s.csv and %s.png%n", end.state(), end.message(),
                    (System.nanoTime() - t0) / 1e9, out, out);
            if (end.state() == RunState.FAILED) {
                System.exit(1);
            }
        }
    }

    static void write(Path out, String title, List<double[]> rows, double goal) throws IOException {
        StringBuilder csv = new StringBuilder("step,wall_s,eval_return,episodes,updates\n");
        for (double[] r : rows) {
            csv.append(String.format(Locale.ROOT, "%d,%.1f,%.2f,%d,%d%n", (long) r[0], r[1], r[2], (long) r[3], (long) r[4]));
        }
        Files.writeString(Path.of(out + ".csv"), csv);
        ImageIO.write(plot(title, rows, goal), "png", Path.of(out + ".png").toFile());
    }

    /** Mean evaluation return against env steps; wall-clock minutes labelled under each point's step. */
    static BufferedImage plot(String title, List<double[]> rows, double goal) {
        int w = 900;
        int h = 520;
        int left = 70;
        int right = 30;
        int top = 50;
        int bottom = 80;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxStep = rows.stream().mapToDouble(r -> r[0]).max().orElse(1);
        double maxWall = rows.stream().mapToDouble(r -> r[1]).max().orElse(1);
        double maxY = Math.max(Double.isNaN(goal) ? 0 : goal * 1.1, rows.stream().mapToDouble(r -> r[2]).max().orElse(1) * 1.1);
        double minY = Math.min(0, rows.stream().mapToDouble(r -> r[2]).min().orElse(0));
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double y = minY + (maxY - minY) * i / 5;
            int py = top + ph - (int) (ph * i / 5.0);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, py, left + pw - 1, py);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", y), 10, py + 4);
            double step = maxStep * i / 5;
            int px = left + (int) (pw * i / 5.0);
            g.drawString(String.format(Locale.ROOT, "%,.0f", step), px - 20, top + ph + 18);
            g.drawString(String.format(Locale.ROOT, "%.1f min", maxWall * i / 5 / 60), px - 22, top + ph + 34);
        }
        g.drawString((actionRepeat > 1 ? "agent steps of " + actionRepeat + " env frames each" : "env steps")
                + " (top row) and wall time (bottom row, linear in the last point's)", left, h - 20);
        g.drawString("mean eval return", 5, top - 10);
        if (!Double.isNaN(goal)) {
            int py = top + ph - (int) (ph * (goal - minY) / (maxY - minY));
            g.setColor(new Color(200, 60, 60));
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            g.drawLine(left, py, left + pw, py);
            g.drawString("goal " + (long) goal, left + pw - 60, py - 4);
        }
        g.setColor(new Color(40, 90, 200));
        g.setStroke(new BasicStroke(2f));
        int[] xs = new int[rows.size()];
        int[] ys = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            xs[i] = left + (int) (pw * rows.get(i)[0] / maxStep);
            ys[i] = top + ph - (int) (ph * (rows.get(i)[2] - minY) / (maxY - minY));
            g.fillOval(xs[i] - 3, ys[i] - 3, 6, 6);
        }
        g.drawPolyline(xs, ys, rows.size());
        g.dispose();
        return img;
    }
}
