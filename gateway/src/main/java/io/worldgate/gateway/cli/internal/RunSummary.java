package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.run.RunStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The one-screen summary printed when a run ends, and the same facts as a map for {@code --json}. */
public final class RunSummary {
    private static final String BLOCKS = "▁▂▃▄▅▆▇█";

    private RunSummary() {}

    public static Map<String, Object> facts(RunStatus status, String where, String runDir, List<Double> returns, Duration wall,
            String checkpoint, int swaps) {
        double seconds = wall.toMillis() / 1000.0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", status.runId());
        m.put("state", status.state().name());
        m.put("message", status.message());
        m.put("agent", status.agent());
        m.put("gateway", where);
        m.put("steps", status.step());
        m.put("total_steps", status.totalSteps());
        m.put("wall_seconds", seconds);
        m.put("steps_per_second", seconds > 0 ? status.step() / seconds : 0);
        m.put("episodes", status.episodes());
        m.put("updates", status.updates());
        m.put("worker_restarts", status.workerRestarts());
        m.put("cut_episodes", status.cutEpisodes());
        m.put("mean_return_last_20", mean(returns.subList(Math.max(0, returns.size() - 20), returns.size())));
        m.put("mean_return_first_20", mean(returns.subList(0, Math.min(20, returns.size()))));
        m.put("best_return", returns.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        m.put("swaps", swaps);
        m.put("checkpoint", checkpoint);
        m.put("run_directory", runDir);
        return m;
    }

    public static String render(Map<String, Object> f, List<Double> returns, String agentLabel) {
        StringBuilder sb = new StringBuilder();
        String title = "── Worldgate run " + f.get("run_id") + " ";
        sb.append(title).append("─".repeat(Math.max(4, 72 - title.length()))).append('\n');
        line(sb, "result", f.get("state") + " (" + f.get("message") + ")");
        line(sb, "agent", agentLabel == null ? f.get("agent") : agentLabel);
        line(sb, "gateway", f.get("gateway"));
        line(sb, "steps", String.format(Locale.ROOT, "%,d in %.1f s (%,.0f steps/s)", (Long) f.get("steps"),
                (Double) f.get("wall_seconds"), ((Number) f.get("steps_per_second")).doubleValue()));
        line(sb, "episodes", f.get("episodes") + " (updates " + f.get("updates") + ")");
        if (f.get("worker_restarts") instanceof Long restarts && restarts > 0) {
            line(sb, "restarts", restarts + " env worker restarts; " + f.get("cut_episodes")
                    + " episodes they cut are left out of the returns");
        }
        line(sb, "return", String.format(Locale.ROOT, "first 20 episodes %.1f, last 20 episodes %.1f, best %.1f",
                (Double) f.get("mean_return_first_20"), (Double) f.get("mean_return_last_20"), (Double) f.get("best_return")));
        if (!returns.isEmpty()) {
            line(sb, "curve", sparkline(returns, 60));
        }
        if (f.get("last_evaluation") instanceof Double eval) {
            StringBuilder means = new StringBuilder(String.format(Locale.ROOT, "mean return %.1f", eval));
            if (f.get("last_evaluation_infos") instanceof Map<?, ?> infos) {
                infos.forEach((name, value) -> means.append(String.format(Locale.ROOT, ", mean %s %.2f", name, value)));
            }
            line(sb, "evaluation", means + " (the last evaluation)");
        }
        line(sb, "swaps", f.get("swaps"));
        line(sb, "checkpoint", f.get("checkpoint") == null ? "-" : f.get("checkpoint"));
        line(sb, "run dir", f.get("run_directory"));
        java.nio.file.Path dir = java.nio.file.Path.of(String.valueOf(f.get("run_directory")));
        if (java.nio.file.Files.isRegularFile(dir.resolve("learning_curve.png"))) {
            line(sb, "plot", dir.resolve("learning_curve.png"));
        }
        if (f.get("video") != null) {
            line(sb, "video", f.get("video"));
        }
        if (java.nio.file.Files.isRegularFile(dir.resolve("metrics.jsonl"))) {
            line(sb, "metrics", dir.resolve("metrics.jsonl") + "   (tensorboard --logdir " + dir + ")");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, Object value) {
        sb.append(String.format("  %-12s %s%n", key, value));
    }

    /** Episode returns averaged into at most {@code width} bins, drawn as block characters. */
    static String sparkline(List<Double> values, int width) {
        int bins = Math.min(width, values.size());
        double[] avg = new double[bins];
        for (int b = 0; b < bins; b++) {
            int from = (int) ((long) b * values.size() / bins);
            int to = (int) ((long) (b + 1) * values.size() / bins);
            avg[b] = mean(values.subList(from, to));
        }
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double v : avg) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        StringBuilder sb = new StringBuilder();
        for (double v : avg) {
            int level = hi > lo ? (int) Math.round((v - lo) / (hi - lo) * (BLOCKS.length() - 1)) : 0;
            sb.append(BLOCKS.charAt(level));
        }
        return sb + String.format(Locale.ROOT, "  (%.1f .. %.1f)", lo, hi);
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
