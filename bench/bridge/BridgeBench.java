import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./worldgate bench bridge}: random-action stepping through the gateway's env bridge over
 * gRPC, gRPC + shared memory, Py4J and shm (shared memory with a doorbell), with 1 and N envs, against Python baselines measured in the
 * same run (a plain in-process loop, and Gymnasium's AsyncVectorEnv with shared memory), plus the
 * round-trip latency of one step on {@code const:4}. Writes {@code bench/results/bridge.md} and
 * {@code bench/results/bridge.csv}.
 *
 * <p>A single-file program (Java 17 runs it from source) over the gateway's public bridge API:
 * {@code EnvRegistry}, {@code BridgeConfig}, {@code VectorEnv}.
 *
 * <pre>
 * ./worldgate bench bridge [--seconds 2] [--num-envs 2] [--envs dmc:cartpole-swingup,atari:Pong,...]
 *                          [--transports grpc,grpc-shm,py4j,shm] [--latency-steps 2000] [--no-baselines]
 *                          [--note "what else ran on the machine"]
 * </pre>
 */
public final class BridgeBench {
    static final List<String> DEFAULT_ENVS = List.of("dmc:cartpole-swingup", "atari:Pong", "metaworld:reach-v3", "const:4");

    record Row(String env, String mode, int numEnvs, int workers, double stepsPerSecond) {}

    record Latency(String mode, double p50Micros, double p99Micros, double stepsPerSecond) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "3"));
        int bigN = Integer.parseInt(opt.getOrDefault("num-envs", Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors()))));
        List<String> envs = List.of(opt.getOrDefault("envs", String.join(",", DEFAULT_ENVS)).split(","));
        List<String> transports = List.of(opt.getOrDefault("transports", "grpc,grpc-shm,py4j,shm").split(","));
        int latencySteps = Integer.parseInt(opt.getOrDefault("latency-steps", "2000"));
        Path results = Path.of(opt.getOrDefault("out", "bench/results"));
        Files.createDirectories(results);
        String load = loadAverage();
        System.err.printf(Locale.ROOT, "[bench] %d cores, load %s; %.1f s per cell, N=%d%n",
                Runtime.getRuntime().availableProcessors(), load, seconds, bigN);

        List<Row> rows = new ArrayList<>();
        if (!opt.containsKey("no-baselines")) {
            rows.addAll(baselines(envs, bigN, seconds, results));
        }
        for (String env : envs) {
            for (String t : transports) {
                for (int n : new int[] {1, bigN}) {
                    // N workers of one env each; for the shared-memory transports also one worker hosting all N envs.
                    for (int w : (t.equals("grpc-shm") || t.equals("shm")) && n > 1 ? new int[] {n, 1} : new int[] {n}) {
                        String mode = w == n || n == 1 ? t : t + "/1w";
                        try {
                            double sps = gateway(env, BridgeConfig.Transport.parse(t), n, w, seconds);
                            rows.add(new Row(env, mode, n, w, sps));
                            System.err.printf(Locale.ROOT, "[bench] %-22s %-12s N=%d %10.1f steps/s%n", env, mode, n, sps);
                        } catch (RuntimeException e) {
                            System.err.printf("[bench] %s %s N=%d failed: %s%n", env, mode, n, e.getMessage());
                        }
                    }
                }
            }
        }
        List<Latency> latencies = new ArrayList<>();
        for (String t : transports) {
            try {
                Latency l = latency(BridgeConfig.Transport.parse(t), latencySteps);
                latencies.add(l);
                System.err.printf(Locale.ROOT, "[bench] latency const:4 %-9s p50 %.1f us p99 %.1f us%n", t, l.p50Micros(), l.p99Micros());
            } catch (RuntimeException e) {
                System.err.printf("[bench] latency %s failed: %s%n", t, e.getMessage());
            }
        }
        if (!opt.containsKey("no-baselines")) {
            Latency py = pythonLatency(latencySteps);
            if (py != null) {
                latencies.add(py);
            }
        }
        write(results, rows, latencies, bigN, seconds, load, opt.getOrDefault("note", ""));
        System.err.println("[bench] wrote " + results.resolve("bridge.md") + " and " + results.resolve("bridge.csv"));
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("bridge")) {
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unknown argument '" + a + "'; the only suite is 'bridge'");
            }
            String key = a.substring(2);
            if (key.equals("no-baselines") || key.equals("help")) {
                m.put(key, "true");
            } else if (i + 1 < args.length) {
                m.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        if (m.containsKey("help")) {
            System.out.println("usage: ./worldgate bench bridge [--seconds S] [--num-envs N] [--envs a,b] [--transports grpc,grpc-shm,py4j,shm]"
                    + " [--latency-steps K] [--no-baselines] [--out DIR] [--note TEXT]");
            System.exit(0);
        }
        return m;
    }

    static Tensor randomActions(EnvSpec spec, SplittableRandom rng) {
        int n = spec.numEnvs();
        if (spec.actionSpace() instanceof DiscreteSpace d) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = rng.nextInt(d.n());
            }
            return Tensor.ofInts(a, n);
        }
        BoxSpace b = (BoxSpace) spec.actionSpace();
        int per = b.numElements();
        float[] v = new float[n * per];
        for (int i = 0; i < v.length; i++) {
            int j = i % per;
            double lo = Double.isFinite(b.low(j)) ? b.low(j) : -1;
            double hi = Double.isFinite(b.high(j)) ? b.high(j) : 1;
            v[i] = (float) (lo + rng.nextDouble() * (hi - lo));
        }
        int[] shape = new int[b.shape().length + 1];
        shape[0] = n;
        System.arraycopy(b.shape(), 0, shape, 1, b.shape().length);
        return Tensor.ofFloats(v, shape);
    }

    /** Env steps per second (summed over the N envs) through the gateway, over {@code workers} workers. */
    static double gateway(String env, BridgeConfig.Transport t, int n, int workers, double seconds) {
        BridgeConfig config = BridgeConfig.defaults().withWorkers(workers).withTransport(t);
        try (VectorEnv e = EnvRegistry.withBuiltins(config).create(env, n, Map.of())) {
            SplittableRandom rng = new SplittableRandom(0);
            e.reset(0);
            for (int i = 0; i < 3; i++) {
                e.step(randomActions(e.spec(), rng));
            }
            long steps = 0;
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long now;
            do {
                e.step(randomActions(e.spec(), rng));
                steps += n;
                now = System.nanoTime();
            } while (now < end);
            return steps / ((now - t0) / 1e9);
        }
    }

    /** Per-step round trip on const:4 with one env. */
    static Latency latency(BridgeConfig.Transport t, int steps) {
        BridgeConfig config = BridgeConfig.defaults().withWorkers(1).withTransport(t);
        try (VectorEnv e = EnvRegistry.withBuiltins(config).create("const:4", 1, Map.of("length", "1000000"))) {
            e.reset(0);
            Tensor a = Tensor.ofFloats(new float[] {0.25f}, 1, 1);
            for (int i = 0; i < Math.max(200, steps / 5); i++) {
                e.step(a);
            }
            long[] d = new long[steps];
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                long s = System.nanoTime();
                e.step(a);
                d[i] = System.nanoTime() - s;
            }
            double total = (System.nanoTime() - t0) / 1e9;
            Arrays.sort(d);
            return new Latency(t.label(), d[steps / 2] / 1e3, d[Math.min(steps - 1, (int) (steps * 0.99))] / 1e3, steps / total);
        }
    }

    static Path python() {
        String p = System.getProperty("worldgate.python", System.getenv("WORLDGATE_PYTHON"));
        return Path.of(p != null && !p.isBlank() ? p : ".venv/bin/python");
    }

    static List<String> run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " took more than " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue());
        }
        return lines;
    }

    /** The Python baselines (bench/bridge/python/baselines.py): in-process loop with 1 env, AsyncVectorEnv with N. */
    static List<Row> baselines(List<String> envs, int n, double seconds, Path results) {
        Path script = Path.of("bench/bridge/python/baselines.py");
        Path csv = results.resolve("bridge-baselines.csv");
        List<Row> rows = new ArrayList<>();
        if (!Files.exists(script)) {
            System.err.println("[bench] " + script + " is missing: no baselines");
            return rows;
        }
        List<String> cmd = new ArrayList<>(List.of(python().toString(), script.toString(), "--out", csv.toString(), "--modes",
                "inproc", "async", "--num-envs", Integer.toString(n), "--seconds", Double.toString(seconds), "--envs"));
        cmd.addAll(envs);
        try {
            run(cmd, 1800);
            for (String line : Files.readAllLines(csv)) {
                String[] f = line.split(",");
                if (f.length < 4 || f[0].equals("env")) {
                    continue;
                }
                int k = Integer.parseInt(f[2]);
                rows.add(new Row(f[0], f[1].equals("async") ? "py-async" : "py-" + f[1], k, f[1].equals("async") ? k : 0,
                        Double.parseDouble(f[3])));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[bench] baselines failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rows;
    }

    static Latency pythonLatency(int steps) {
        try {
            List<String> out = run(List.of(python().toString(), "bench/bridge/py_latency.py", "--steps", Integer.toString(steps)), 300);
            for (String line : out) {
                String[] f = line.split(",");
                if (f.length == 4 && f[0].equals("python-grpc")) {
                    return new Latency("python client, gRPC (reference)", Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                            Double.parseDouble(f[3]));
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("[bench] python latency failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", l);
    }

    static Double find(List<Row> rows, String env, String mode, int n) {
        for (Row r : rows) {
            if (r.env().equals(env) && r.mode().equals(mode) && r.numEnvs() == n) {
                return r.stepsPerSecond();
            }
        }
        return null;
    }

    static String fmt(Double v) {
        return v == null ? "—" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "—" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    static void write(Path dir, List<Row> rows, List<Latency> lat, int bigN, double seconds, String load, String note)
            throws IOException {
        List<String> envs = rows.stream().map(Row::env).distinct().toList();
        List<String> csv = new ArrayList<>();
        csv.add("kind,env,mode,num_envs,workers,steps_per_s,baseline_mode,baseline_steps_per_s,ratio,p50_us,p99_us");
        for (Row r : rows) {
            String base = r.mode().startsWith("py-") ? "" : r.numEnvs() == 1 ? "py-inproc" : "py-async";
            Double b = base.isEmpty() ? null : find(rows, r.env(), base, r.numEnvs());
            csv.add(String.join(",", "throughput", r.env(), r.mode(), Integer.toString(r.numEnvs()), Integer.toString(r.workers()),
                    String.format(Locale.ROOT, "%.1f", r.stepsPerSecond()), base, b == null ? "" : String.format(Locale.ROOT, "%.1f", b),
                    b == null ? "" : String.format(Locale.ROOT, "%.3f", r.stepsPerSecond() / b), "", ""));
        }
        for (Latency l : lat) {
            csv.add(String.join(",", "latency", "const:4", l.mode().replace(',', ';'), "1", "1",
                    String.format(Locale.ROOT, "%.1f", l.stepsPerSecond()), "", "", "",
                    String.format(Locale.ROOT, "%.1f", l.p50Micros()), String.format(Locale.ROOT, "%.1f", l.p99Micros())));
        }
        Files.write(dir.resolve("bridge.csv"), csv);

        StringBuilder md = new StringBuilder();
        md.append("# Env bridge benchmark\n\n");
        md.append("Written by `./worldgate bench bridge` on ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16))
                .append(": ").append(Runtime.getRuntime().availableProcessors()).append(" cores, load average ").append(load)
                .append(" at the start, ").append(String.format(Locale.ROOT, "%.1f", seconds)).append(" s per cell. ")
                .append("Random actions; env steps per second summed over the N envs. The gateway runs N workers of one env each ")
                .append("(like AsyncVectorEnv's N processes), and for grpc-shm and shm also one worker with all N envs. Baselines from `bench/bridge/python/baselines.py` in the same run: ")
                .append("`py-inproc` is a plain Python loop over one env (the adapter, no IPC), `py-async` is ")
                .append("`gymnasium.vector.AsyncVectorEnv(shared_memory=True)` with N envs. Ratio: gateway / baseline ")
                .append("(N=1 against py-inproc, N=").append(bigN).append(" against py-async). Machine-wide noise (other jobs) ")
                .append("moves these numbers a lot on a small machine: compare within one run.");
        md.append(note.isBlank() ? "" : " " + note.strip()).append("\n\n");
        md.append("| env | N | py-inproc | py-async | grpc | grpc-shm | grpc-shm, 1 worker | py4j | shm | shm, 1 worker | shm / baseline | best / baseline |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String env : envs) {
            for (int n : new int[] {1, bigN}) {
                Double inproc = find(rows, env, "py-inproc", 1);
                Double async = find(rows, env, "py-async", n);
                Double base = n == 1 ? inproc : async;
                Double g = find(rows, env, "grpc", n);
                Double s = find(rows, env, "grpc-shm", n);
                Double p = find(rows, env, "py4j", n);
                Double one = n == 1 ? null : find(rows, env, "grpc-shm/1w", n);
                Double bell = find(rows, env, "shm", n);
                Double bellOne = n == 1 ? null : find(rows, env, "shm/1w", n);
                Double best = null;
                for (Double v : new Double[] {g, s, p, one, bell, bellOne}) {
                    if (v != null && (best == null || v > best)) {
                        best = v;
                    }
                }
                md.append("| ").append(env).append(" | ").append(n).append(" | ").append(n == 1 ? fmt(inproc) : "").append(" | ")
                        .append(n == 1 ? "" : fmt(async)).append(" | ").append(fmt(g)).append(" | ").append(fmt(s)).append(" | ")
                        .append(n == 1 ? "" : fmt(one)).append(" | ").append(fmt(p)).append(" | ").append(fmt(bell)).append(" | ")
                        .append(n == 1 ? "" : fmt(bellOne)).append(" | ").append(ratio(bell, base)).append(" | ").append(ratio(best, base)).append(" |\n");
            }
        }
        md.append("\n## Round trip of one step (const:4, one env)\n\n| path | p50 (µs) | p99 (µs) | steps/s |\n|---|---|---|---|\n");
        for (Latency l : lat) {
            md.append("| ").append(l.mode()).append(" | ").append(String.format(Locale.ROOT, "%.0f", l.p50Micros())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", l.p99Micros())).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", l.stepsPerSecond())).append(" |\n");
        }
        md.append("\n## Targets (issue 14, the local step path)\n\n");
        for (String env : envs) {
            if (env.startsWith("const")) {
                continue;
            }
            Double s = find(rows, env, "shm", 1);
            Double in = find(rows, env, "py-inproc", 1);
            Double sn = max(find(rows, env, "shm", bigN), find(rows, env, "shm/1w", bigN));
            Double as = find(rows, env, "py-async", bigN);
            md.append("- ").append(env).append(": shm with 1 env ").append(ratio(s, in)).append(" of the in-process loop (target >= 0.95x: ")
                    .append(met(s, in, 0.95)).append("); with N=").append(bigN).append(' ').append(ratio(sn, as))
                    .append(" of AsyncVectorEnv, better of N workers and one (target >= 1.3x: ").append(met(sn, as, 1.3)).append(")\n");
        }
        for (Latency l : lat) {
            if (l.mode().equals("shm")) {
                md.append("- const:4 round trip over ").append(l.mode()).append(": p50 ")
                        .append(String.format(Locale.ROOT, "%.0f", l.p50Micros())).append(" µs (target <= 50 µs: ")
                        .append(l.p50Micros() <= 50 ? "met" : "not met").append(")\n");
            }
        }
        Files.writeString(dir.resolve("bridge.md"), md.toString());
    }

    static Double max(Double a, Double b) {
        return a == null ? b : b == null ? a : Math.max(a, b);
    }

    static String met(Double v, Double base, double factor) {
        if (v == null || base == null) {
            return "not measured";
        }
        return v >= factor * base ? "met" : "not met";
    }
}
