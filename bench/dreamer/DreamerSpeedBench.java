package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Speed of one full Dreamer training update (world model + actor + critic) on the CPU, on a
 * synthetic replay of random observations shaped like the preset's environment:
 * {@code dmc_vision}: 64x64x3 pixels and 6 continuous actions (walker-walk); {@code dmc_proprio}:
 * a 24-float state and 6 continuous actions; {@code atari100k}: 64x64x3 pixels and 6 discrete
 * actions; {@code debug}: a 4-float state and 2 discrete actions (CartPole); {@code debug_image}: the
 * {@code debug} model on 64x64x3 pixels with one continuous action and sequences of 32
 * (cartpole-swingup from pixels, as the pixel learning runs train it). Random data costs the
 * same compute as real data. Prints and appends one CSV row per run:
 *
 * <pre>
 *   label,preset,batch,length,updates,s_per_update,updates_per_s,phase ms...,peak_rss_mib,peak_heap_mib
 * </pre>
 *
 * Args: {@code --preset P --updates N --warmup W --csv FILE --label L [--set key=value ...]}.
 */
public final class DreamerSpeedBench {
    private DreamerSpeedBench() {}

    public static void main(String[] args) throws Exception {
        String preset = "dmc_vision";
        int updates = 5;
        int warmup = 1;
        String csv = null;
        String label = "";
        String paramsOut = null;
        String profileDir = null;
        String jsonOut = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--preset" -> preset = args[++i];
                case "--updates" -> updates = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--csv" -> csv = args[++i];
                case "--label" -> label = args[++i];
                case "--params" -> paramsOut = args[++i];
                case "--profile-dir" -> profileDir = args[++i];
                case "--json" -> jsonOut = args[++i];
                case "--set" -> {
                    String[] kv = args[++i].split("=", 2);
                    overrides.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        overrides.putIfAbsent("video_every", "0");
        EnvSpec spec = spec(preset);
        // debug_image: the debug model on 64x64 pixels at batch 16x32, as the pixel learning runs train it
        String agentPreset = preset;
        if (preset.equals("debug_image")) {
            agentPreset = "debug";
            overrides.putIfAbsent("batch_length", "32");
        }
        DreamerAgentFactory factory = new DreamerAgentFactory();
        AgentConfig config = AgentConfig.resolve(factory.descriptor(), agentPreset, overrides);
        SyntheticExperience experience = new SyntheticExperience(spec, 2000, 1);
        Path work = Files.createTempDirectory("dreamer-bench");
        PeakMemory peak = new PeakMemory();
        peak.start();
        try (DreamerAgent agent = (DreamerAgent) factory.create(spec, config, new Context(experience, work))) {
            DreamerConfig c = agent.config();
            if (paramsOut != null) {
                Files.writeString(Path.of(paramsOut), paramCounts(agent), StandardCharsets.UTF_8);
            }
            agent.act(batch(spec, 1), ActMode.EXPLORE);
            agent.train(warmup);
            CpuTime cpu = new CpuTime();
            agent.listenToPhases(cpu);
            long t0 = System.nanoTime();
            long c0 = CpuTime.now();
            Map<String, Double> metrics = agent.train(updates);
            double seconds = (System.nanoTime() - t0) / 1e9 / updates;
            double cpuSeconds = (CpuTime.now() - c0) / 1e9 / updates;
            agent.listenToPhases(null);
            peak.stopSampling();
            Map<String, Double> phases = new LinkedHashMap<>();
            metrics.forEach((k, v) -> {
                if (k.startsWith("time/")) {
                    phases.put(k.substring(5, k.length() - 3), v);
                }
            });
            System.out.printf(Locale.ROOT, "%s %s B=%d T=%d: %.3f s/update (%.2f updates/s), peak RSS %.0f MiB, peak heap %.0f MiB%n",
                    label, preset, c.batchSize(), c.batchLength(), seconds, 1 / seconds, peak.rssMiB(), peak.heapMiB());
            phases.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-10s %9.1f ms%n", k, v));
            // the last update's losses: a build that only changes speed gives the same ones for the same seed
            metrics.forEach((k, v) -> {
                if (k.startsWith("loss/")) {
                    System.out.printf(Locale.ROOT, "  %-18s %.9g%n", k, v);
                }
            });
            System.out.printf(Locale.ROOT, "  CPU time of the training thread: %.3f s/update%n", cpuSeconds);
            cpu.millis(updates).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-10s %9.1f ms CPU%n", k, v));
            if (jsonOut != null) {
                StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
                        "{\"preset\": \"%s\", \"batch\": %d, \"length\": %d, \"updates\": %d, \"s_per_update\": %.4f, "
                                + "\"cpu_s_per_update\": %.4f, \"peak_rss_mib\": %.0f, \"threads\": \"%s\"",
                        preset, c.batchSize(), c.batchLength(), updates, seconds, cpuSeconds, peak.rssMiB(),
                        System.getProperty("ai.djl.pytorch.num_threads", "default")));
                json.append(", \"phases_ms\": ").append(jsonMap(phases));
                json.append(", \"cpu_phases_ms\": ").append(jsonMap(cpu.millis(updates))).append("}\n");
                Files.writeString(Path.of(jsonOut), json, StandardCharsets.UTF_8);
            }
            if (profileDir != null) {
                PhaseProfiler profiler = new PhaseProfiler(Path.of(profileDir), "worldgate-" + preset);
                agent.listenToPhases(profiler);
                agent.train(1);
                agent.listenToPhases(null);
                profiler.writeMemory();
            }
            if (csv != null) {
                Path file = Path.of(csv);
                StringBuilder row = new StringBuilder();
                if (!Files.exists(file)) {
                    row.append("label,preset,batch,length,updates,s_per_update,updates_per_s,sample_ms,to_ndarray_ms,"
                            + "model_ms,imagine_ms,actor_ms,critic_ms,peak_rss_mib,peak_heap_mib,threads\n");
                }
                row.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.4f,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.0f,%.0f,%s%n",
                        label, preset, c.batchSize(), c.batchLength(), updates, seconds, 1 / seconds,
                        phases.getOrDefault("sample", 0.0), phases.getOrDefault("to_ndarray", 0.0),
                        phases.getOrDefault("model", 0.0), phases.getOrDefault("imagine", 0.0),
                        phases.getOrDefault("actor", 0.0), phases.getOrDefault("critic", 0.0), peak.rssMiB(),
                        peak.heapMiB(), System.getProperty("ai.djl.pytorch.num_threads", "default")));
                Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    private static String jsonMap(Map<String, Double> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
                .append(String.format(Locale.ROOT, "%.1f", v)));
        return b.append('}').toString();
    }

    /**
     * CPU time of the training thread per phase. libtorch runs each operator on the calling thread
     * when it has one intra-op thread, so this is the update's compute whatever else the machine
     * runs: comparable between runs on a loaded machine where wall time is not.
     */
    static final class CpuTime implements Timers.Listener {
        private final Map<String, Long> started = new LinkedHashMap<>();
        private final Map<String, Long> total = new LinkedHashMap<>();

        static long now() {
            return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }

        @Override
        public void started(String phase) {
            started.put(phase, now());
        }

        @Override
        public void stopped(String phase) {
            Long t0 = started.remove(phase);
            if (t0 != null) {
                total.merge(phase, now() - t0, Long::sum);
            }
        }

        Map<String, Double> millis(int updates) {
            Map<String, Double> out = new LinkedHashMap<>();
            total.forEach((k, v) -> out.put(k, v / 1e6 / updates));
            return out;
        }
    }

    /**
     * Parameters per module as JSON, {@code world_model/<part>}, {@code world_model/rssm/<part>} and
     * {@code actor_critic/<part>}, for the PyTorch twin to check that it has the same model.
     */
    static String paramCounts(DreamerAgent agent) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        count("world_model", agent.worldModel(), counts);
        count("actor_critic", agent.actorCritic(), counts);
        count("world_model/rssm", agent.worldModel().rssm, counts);
        agent.worldModel().rssm.getDirectParameters().forEach(p -> counts.put("world_model/rssm/" + p.getKey(),
                p.getValue().getArray().size()));
        StringBuilder json = new StringBuilder("{");
        counts.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        return json.append("}\n").toString();
    }

    private static void count(String prefix, ai.djl.nn.Block block, Map<String, Long> counts) {
        block.getChildren().forEach(child -> {
            long n = 0;
            for (var p : child.getValue().getParameters()) {
                n += p.getValue().getArray().size();
            }
            if (n > 0) {
                // DJL names children "01name", "02name", ...
                counts.put(prefix + "/" + child.getKey().replaceFirst("^[0-9]+", ""), n);
            }
        });
    }

    static EnvSpec spec(String preset) {
        Map<String, Space> obs = new LinkedHashMap<>();
        Space actions;
        switch (preset) {
            case "dmc_vision" -> {
                obs.put("image", BoxSpace.image(64, 64, 3));
                actions = BoxSpace.uniform(DType.FLOAT32, -1, 1, 6);
            }
            case "dmc_proprio" -> {
                obs.put("state", BoxSpace.uniform(DType.FLOAT32, -100, 100, 24));
                actions = BoxSpace.uniform(DType.FLOAT32, -1, 1, 6);
            }
            case "debug_image" -> {
                obs.put("image", BoxSpace.image(64, 64, 3));
                actions = BoxSpace.uniform(DType.FLOAT32, -1, 1, 1);
            }
            case "atari100k" -> {
                obs.put("image", BoxSpace.image(64, 64, 3));
                actions = new DiscreteSpace(6);
            }
            default -> {
                obs.put("state", BoxSpace.uniform(DType.FLOAT32, -100, 100, 4));
                actions = new DiscreteSpace(2);
            }
        }
        return new EnvSpec("bench:" + preset, new DictSpace(obs), actions, 1, 1000, Map.of());
    }

    static StepBatch batch(EnvSpec spec, int n) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((k, s) -> named.put(k, Tensor.allocate(s.tensorSpec().dtype(),
                s.tensorSpec().batchShape(n))));
        boolean[] first = new boolean[n];
        java.util.Arrays.fill(first, true);
        return new StepBatch(NamedTensors.of(named), new float[n], new boolean[n], new boolean[n], first, new long[n]);
    }

    /** Random steps in 1000-step episodes: uniform pixels and states, random actions and rewards. */
    static final class SyntheticExperience implements Experience {
        private final EnvSpec spec;
        private final List<Map<String, Tensor>> obs = new ArrayList<>();
        private final List<Tensor> actions = new ArrayList<>();
        private final float[] rewards;

        SyntheticExperience(EnvSpec spec, int steps, long seed) {
            this.spec = spec;
            SplittableRandom rng = new SplittableRandom(seed);
            rewards = new float[steps];
            for (int t = 0; t < steps; t++) {
                Map<String, Tensor> o = new LinkedHashMap<>();
                spec.observationSpace().spaces().forEach((k, s) -> {
                    Tensor x = Tensor.allocate(s.tensorSpec().dtype(), s.tensorSpec().shape());
                    for (long i = 0; i < x.numElements(); i++) {
                        x.setDouble(i, s.tensorSpec().dtype() == DType.UINT8 ? rng.nextInt(256) : rng.nextGaussian());
                    }
                    o.put(k, x);
                });
                obs.add(o);
                Tensor a = Tensor.allocate(spec.actionSpace().tensorSpec().dtype(), spec.actionSpace().tensorSpec().shape());
                for (long i = 0; i < a.numElements(); i++) {
                    a.setDouble(i, spec.actionSpace() instanceof DiscreteSpace d ? rng.nextInt(d.n()) : rng.nextDouble(-1, 1));
                }
                actions.add(a);
                rewards[t] = (float) rng.nextDouble();
            }
        }

        @Override
        public long numSteps() {
            return rewards.length;
        }

        @Override
        public int numEpisodes() {
            return rewards.length / 1000 + 1;
        }

        @Override
        public SequenceBatch sampleSequences(int b, int length, RandomGenerator rng) {
            Map<String, Tensor> o = new LinkedHashMap<>();
            spec.observationSpace().spaces().forEach((k, s) -> o.put(k, Tensor.allocate(s.tensorSpec().dtype(),
                    prepend(b, length, s.tensorSpec().shape()))));
            Tensor a = Tensor.allocate(spec.actionSpace().tensorSpec().dtype(),
                    prepend(b, length, spec.actionSpace().tensorSpec().shape()));
            Tensor r = Tensor.allocate(DType.FLOAT32, b, length);
            Tensor first = Tensor.allocate(DType.FLOAT32, b, length);
            Tensor terminal = Tensor.allocate(DType.FLOAT32, b, length);
            Tensor mask = Tensor.allocate(DType.FLOAT32, b, length);
            for (int i = 0; i < b; i++) {
                int start = rng.nextInt(rewards.length - length);
                for (int t = 0; t < length; t++) {
                    int row = i * length + t;
                    int step = start + t;
                    for (Map.Entry<String, Tensor> e : o.entrySet()) {
                        copy(obs.get(step).get(e.getKey()), e.getValue(), row);
                    }
                    copy(actions.get(step), a, row);
                    r.setFloat(row, rewards[step]);
                    first.setFloat(row, step % 1000 == 0 ? 1 : 0);
                    mask.setFloat(row, 1);
                }
            }
            return new SequenceBatch(NamedTensors.of(o), a, r, first, terminal, mask);
        }

        @Override
        public List<Episode> recentEpisodes(int max) {
            return List.of();
        }

        private static int[] prepend(int b, int t, int[] shape) {
            int[] out = new int[shape.length + 2];
            out[0] = b;
            out[1] = t;
            System.arraycopy(shape, 0, out, 2, shape.length);
            return out;
        }

        private static void copy(Tensor entry, Tensor target, int row) {
            ByteBuffer dst = target.buffer();
            dst.position(row * entry.byteSize());
            dst.put(entry.buffer());
        }
    }

    /** Samples the process's peak resident set (VmHWM) and the Java heap in use every 20 ms. */
    static final class PeakMemory extends Thread {
        private volatile boolean running = true;
        private volatile double heap;

        PeakMemory() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                heap = Math.max(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopSampling() {
            running = false;
        }

        double heapMiB() {
            return heap;
        }

        double rssMiB() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
            } catch (IOException e) {
                return Double.NaN;
            }
            return Double.NaN;
        }
    }

    /**
     * Profiles each phase of an update with libtorch's own (autograd) profiler, one Chrome trace per
     * phase ({@code <name>-<phase>.json}), and the resident memory at the phase boundaries: VmRSS at
     * the start and end and the phase's own peak (VmHWM after resetting it at the start through
     * {@code /proc/self/clear_refs}), in {@code <name>-memory.csv}.
     */
    static final class PhaseProfiler implements Timers.Listener {
        private static final java.util.Set<String> PROFILED = java.util.Set.of("model", "imagine", "actor", "critic");
        private final Path dir;
        private final String name;
        private final StringBuilder memory = new StringBuilder("phase,rss_start_mib,rss_end_mib,peak_mib\n");
        private final Map<String, Double> startRss = new LinkedHashMap<>();

        PhaseProfiler(Path dir, String name) throws IOException {
            this.dir = Files.createDirectories(dir);
            this.name = name;
        }

        @Override
        public void started(String phase) {
            if (!PROFILED.contains(phase)) {
                return;
            }
            startRss.put(phase, status("VmRSS:"));
            resetPeak();
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        }

        @Override
        public void stopped(String phase) {
            if (!PROFILED.contains(phase)) {
                return;
            }
            ai.djl.pytorch.jni.JniUtils.stopProfile(dir.resolve(name + "-" + phase + ".json").toString());
            memory.append(String.format(Locale.ROOT, "%s,%.0f,%.0f,%.0f%n", phase, startRss.get(phase),
                    status("VmRSS:"), status("VmHWM:")));
            resetPeak();
        }

        void writeMemory() throws IOException {
            Files.writeString(dir.resolve(name + "-memory.csv"), memory);
        }

        private static void resetPeak() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (IOException e) {
                // not Linux, or not allowed: the peaks are then the process's since its start
            }
        }

        private static double status(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(key)) {
                        return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
            } catch (IOException e) {
                return Double.NaN;
            }
            return Double.NaN;
        }
    }

    /** The context of a benchmark agent: the synthetic replay, no metrics, on {@code device}. */
    record Context(Experience experience, Path workDirectory, String device) implements AgentContext {
        Context(Experience experience, Path workDirectory) {
            this(experience, workDirectory, "cpu");
        }

        @Override
        public Optional<EpisodeRunner> episodeRunner() {
            return Optional.empty();
        }

        @Override
        public MetricsSink metrics() {
            return new MetricsSink() {
                @Override
                public void scalar(String name, double value) {}

                @Override
                public void file(String name, Path file) {}
            };
        }

        @Override
        public long seed() {
            return 0;
        }

        @Override
        public <S> Optional<S> service(Class<S> type, String name) {
            return Optional.empty();
        }
    }
}
