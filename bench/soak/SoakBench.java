import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.run.internal.experience.DiskExperience;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.RunRequest;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./worldgate bench soak [minutes]}: a training run (the random agent) on real Python
 * workers while their processes are killed at random: SIGKILL, and every third time SIGSTOP (a
 * hang, found by the step deadline). Measures how long the run's step counter stood still after
 * each kill (the stall), how many restarts and cut episodes the run counted, and the env steps it
 * counted against the steps stored in its experience. Writes {@code bench/results/soak.md}.
 *
 * <pre>
 * ./worldgate bench soak [MINUTES] [--env gym:CartPole-v1] [--envs 8] [--workers 4] [--every-s 5]
 *                        [--max-failures 40] [--plugin plugins/random/target/random-*.jar] [--note TEXT]
 * </pre>
 */
public final class SoakBench {
    record Kill(double atS, String signal, long pid, double stallS) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                opt.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        double minutes = positional.isEmpty() ? 2 : Double.parseDouble(positional.get(0));
        String envId = opt.getOrDefault("env", "gym:CartPole-v1");
        int envs = Integer.parseInt(opt.getOrDefault("envs", "8"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "4"));
        double everyS = Double.parseDouble(opt.getOrDefault("every-s", "5"));
        // the default limit (5 failures a minute) would end a run killed every 5 s: the soak raises it
        String maxFailures = opt.getOrDefault("max-failures", "40");
        Path plugin = Path.of(opt.getOrDefault("plugin", findPlugin()));
        Path work = Files.createTempDirectory("wg-soak-");
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        Files.copy(plugin, deploy.resolve(plugin.getFileName()));

        Map<String, String> envOptions = Map.of("bridge.workers", Integer.toString(workers), "bridge.max_failures", maxFailures);
        try (Gateway gateway = Gateway.start(deploy, work.resolve("runs"))) {
            gateway.plugins().awaitFactory("random", Duration.ofSeconds(30)).orElseThrow();
            TrainingRun run = gateway.runs().start(new RunRequest("random", null, Map.of(), envId, envOptions, envs,
                    Long.MAX_VALUE / 2, 1, 0, 0, 0, 0, 1, "cpu"));
            while (run.status().step() == 0 && !run.status().state().isTerminal()) {
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            long end = t0 + (long) (minutes * 60e9);
            // the step counter, sampled every 2 ms: a stall is the longest time it stood still after a kill
            List<long[]> samples = new ArrayList<>();
            List<double[]> killTimes = new ArrayList<>();
            List<String> signals = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(7);
            long nextKill = t0 + (long) (everyS * 1e9);
            int n = 0;
            while (System.nanoTime() < end && !run.status().state().isTerminal()) {
                long now = System.nanoTime();
                samples.add(new long[] {now, run.status().step()});
                if (now >= nextKill) {
                    List<ProcessHandle> live = ProcessHandle.current().descendants()
                            .filter(p -> p.info().commandLine().orElse("").contains("worldgate_envs"))
                            .filter(p -> !pids.contains(p.pid())).toList(); // not one already stopped and not yet found
                    if (!live.isEmpty()) {
                        ProcessHandle victim = live.get(rng.nextInt(live.size()));
                        String signal = ++n % 3 == 0 ? "STOP" : "KILL";
                        new ProcessBuilder("kill", "-" + signal, Long.toString(victim.pid())).inheritIO().start().waitFor();
                        killTimes.add(new double[] {now});
                        signals.add(signal);
                        pids.add(victim.pid());
                    }
                    nextKill = now + (long) (everyS * 1e9);
                }
                Thread.sleep(2);
            }
            gateway.runs().stop(run.config().runId());
            RunStatus last = run.await(Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - t0) / 1e9;

            // spans in which the step counter stood still: [first sample with a value, first sample with the next)
            List<long[]> still = new ArrayList<>();
            for (int i = 0, j; i < samples.size(); i = j) {
                j = i + 1;
                while (j < samples.size() && samples.get(j)[1] == samples.get(i)[1]) {
                    j++;
                }
                long until = j < samples.size() ? samples.get(j)[0] : samples.get(j - 1)[0];
                still.add(new long[] {samples.get(i)[0], until});
            }
            List<Kill> kills = new ArrayList<>();
            for (int k = 0; k < killTimes.size(); k++) {
                long at = (long) killTimes.get(k)[0];
                long next = k + 1 < killTimes.size() ? (long) killTimes.get(k + 1)[0] : Long.MAX_VALUE;
                long longest = 0;
                for (long[] span : still) {
                    if (span[1] > at && span[0] < next) { // a stall that began before the next kill, however long it lasted
                        longest = Math.max(longest, span[1] - Math.max(span[0], at));
                    }
                }
                kills.add(new Kill((at - t0) / 1e9, signals.get(k), pids.get(k), longest / 1e9));
            }

            Path dir = run.config().runDirectory();
            Map<String, List<Double>> scalars = readScalars(dir.resolve("metrics.jsonl"));
            long stored;
            // the experience's layout follows the env's spec: one worker is enough to learn it
            EnvSpec spec;
            try (VectorEnv env = EnvRegistry.withBuiltins().create(envId, envs, Map.of("bridge.workers", "1"))) {
                spec = env.spec();
            }
            try (DiskExperience experience = DiskExperience.forRun(dir, spec)) {
                stored = experience.recovery().steps();
            }
            write(minutes, envId, envs, workers, everyS, maxFailures, last, seconds, kills, scalars, stored, opt.get("note"));
        }
    }

    private static String findPlugin() throws Exception {
        try (var s = Files.list(Path.of("plugins/random/target"))) {
            return s.filter(p -> p.getFileName().toString().matches("random-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build the random plugin first (./worldgate build)")).toString();
        }
    }

    private static Map<String, List<Double>> readScalars(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Double>> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode node = json.readTree(line);
                if (node != null && node.hasNonNull("tag") && node.has("value")) {
                    out.computeIfAbsent(node.get("tag").asText(), t -> new ArrayList<>()).add(node.get("value").asDouble());
                }
            }
        }
        return out;
    }

    private static double lastOf(Map<String, List<Double>> scalars, String tag) {
        List<Double> v = scalars.get(tag);
        return v == null || v.isEmpty() ? 0 : v.get(v.size() - 1);
    }

    private static String stalls(List<Kill> kills, String signal) {
        List<Kill> these = kills.stream().filter(k -> k.signal().equals(signal)).toList();
        if (these.isEmpty()) {
            return "-";
        }
        double mean = these.stream().mapToDouble(Kill::stallS).average().orElse(0);
        double max = these.stream().mapToDouble(Kill::stallS).max().orElse(0);
        return String.format(Locale.ROOT, "%d kills: mean %.3f s, max %.3f s", these.size(), mean, max);
    }

    private static void write(double minutes, String envId, int envs, int workers, double everyS, String maxFailures,
            RunStatus last, double seconds, List<Kill> kills, Map<String, List<Double>> scalars, long stored, String note)
            throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# Worker-kill soak\n\n");
        md.append("`./worldgate bench soak ").append(minutes).append("` on ")
                .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(": the random agent on `")
                .append(envId).append("`, ").append(envs).append(" envs over ").append(workers).append(" workers; every ")
                .append(everyS).append(" s a random worker gets SIGKILL, every third time SIGSTOP (a hang); ")
                .append("`bridge.max_failures=").append(maxFailures).append("` so that the run may survive that rate.")
                .append(note == null ? "" : " " + note).append("\n\n");
        md.append("| figure | value |\n| --- | --- |\n");
        row(md, "run outcome", last.state() + " (" + last.message() + ")");
        row(md, "wall time", String.format(Locale.ROOT, "%.1f s", seconds));
        row(md, "kills survived", kills.size() + " (" + kills.stream().filter(k -> k.signal().equals("KILL")).count() + " SIGKILL, "
                + kills.stream().filter(k -> k.signal().equals("STOP")).count() + " SIGSTOP)");
        row(md, "worker restarts (bridge/worker_restarts; status)", String.format(Locale.ROOT, "%.0f; %d",
                lastOf(scalars, "bridge/worker_restarts"), last.workerRestarts()));
        row(md, "episodes: finished / cut by a restart", last.episodes() + " / " + last.cutEpisodes());
        row(md, "env steps counted by the run", Long.toString(last.step()));
        row(md, "env steps stored in its experience", Long.toString(stored));
        // stand-in rows are stored (as isFirst rows) but are no env steps: the run does not count them
        long standIns = (long) lastOf(scalars, "bridge/waiting_steps");
        row(md, "steps lost (counted + stand-ins + " + envs + " reset rows - stored)",
                Long.toString(last.step() + standIns + envs - stored));
        row(md, "stand-in rows (bridge/waiting_steps: no simulator stepped; not counted)",
                String.format(Locale.ROOT, "%d (%.2f%% of all rows)", standIns, 100.0 * standIns / Math.max(1, last.step() + standIns)));
        row(md, "run stall after a SIGKILL", stalls(kills, "KILL"));
        row(md, "run stall after a SIGSTOP", stalls(kills, "STOP"));
        md.append("\nThe stall is the longest time the run's step counter (sampled every 2 ms) stood still in a span that ")
                .append("began after a kill and before the next one. Per kill:\n\n| at (s) | signal | pid | stall (s) |\n| --- | --- | --- | --- |\n");
        for (Kill k : kills) {
            md.append(String.format(Locale.ROOT, "| %.1f | %s | %d | %.3f |%n", k.atS(), k.signal(), k.pid(), k.stallS()));
        }
        Files.createDirectories(Path.of("bench/results"));
        Files.writeString(Path.of("bench/results/soak.md"), md);
        System.out.print(md);
        System.out.println("\nwritten bench/results/soak.md");
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }
}
