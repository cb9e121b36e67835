package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.experience.Slicing;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.StepBatches;
import io.worldgate.testkit.TestSpecs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Speed of the TD-MPC2 agent on the CPU at a walker's sizes (24 state floats, 6 actions, 500-step
 * episodes): seconds per training update on batches of {@code batch_size} (256) sequences of
 * {@code horizon + 1} steps, sampled beforehand so that only the update is timed, and seconds per
 * plan, one {@code act} (encoding plus MPPI with the preset's settings) on one environment. Peak
 * memory is the process's peak resident set ({@code VmHWM}). Appends one CSV row:
 *
 * <pre>
 *   impl,label,preset,params,batch,updates,s_per_update,updates_per_s,plans,s_per_plan,plans_per_s,peak_rss_mib,threads,
 *   cpu_s_per_update,cpu_s_per_plan
 * </pre>
 *
 * The CPU time is the calling thread's: with one libtorch thread every operation runs on it, so it
 * is the measure that a loaded machine disturbs least (wall time counts the waits for a core).
 *
 * <p>With {@code --obs image} the observations are pixels instead: a cartpole's sizes as TD-MPC2 sees them
 * from pixels (64x64 RGB frames, 3 stacked: 9 channels; 1 action), for the pixel encoder's cost.
 *
 * Args: {@code --preset P --updates N --plans N --warmup W --csv FILE --label L [--obs state|image]
 * [--set key=value ...]}.
 */
public final class TdMpc2SpeedBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TdMpc2SpeedBench() {}

    public static void main(String[] args) throws Exception {
        String preset = "1M";
        int updates = 10;
        int plans = 20;
        int warmup = 2;
        String csv = null;
        String label = "";
        String obs = "state";
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--preset" -> preset = args[++i];
                case "--updates" -> updates = Integer.parseInt(args[++i]);
                case "--plans" -> plans = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--csv" -> csv = args[++i];
                case "--label" -> label = args[++i];
                case "--obs" -> obs = args[++i];
                case "--set" -> {
                    String[] kv = args[++i].split("=", 2);
                    overrides.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        EnvSpec spec = switch (obs) {
            case "state" -> new EnvSpec("bench:walker-like", new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))),
                    BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), 1, 500, Map.of());
            case "image" -> new EnvSpec("bench:cartpole-pixels-like", new DictSpace(Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 9))),
                    BoxSpace.uniform(DType.FLOAT32, -1, 1, 1), 1, 500, Map.of());
            default -> throw new IllegalArgumentException("--obs is state or image, got " + obs);
        };
        int actions = ((BoxSpace) spec.actionSpace()).shape()[0];
        AgentConfig resolved = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), preset, overrides);
        TdMpc2Config config = TdMpc2Config.from(resolved);
        FakeExperience exp = RandomRollouts.of(spec, 2000, 1);
        Path work = Files.createTempDirectory("tdmpc2-bench");
        SplittableRandom rng = new SplittableRandom(1);
        try (TdMpc2Agent agent = new TdMpc2Agent(spec, config, new FakeAgentContext(exp, work, 1),
                TdMpc2Planning.create(config, actions))) {
            List<SequenceBatch> batches = new ArrayList<>();
            for (int i = 0; i < warmup + updates; i++) {
                batches.add(exp.sampleSequences(SampleRequest.of(config.batchSize(), config.horizon() + 1)
                        .withSlicing(Slicing.WITHIN_EPISODE), rng));
            }
            double perUpdate;
            double cpuPerUpdate;
            try (NoGradient off = NoGradient.open()) {
                for (int i = 0; i < warmup; i++) {
                    agent.update(batches.get(i));
                }
                long t0 = System.nanoTime();
                long c0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < updates; i++) {
                    agent.update(batches.get(warmup + i));
                }
                perUpdate = (System.nanoTime() - t0) / 1e9 / updates;
                cpuPerUpdate = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9 / updates;
            }
            // one environment, each step a continuation of the last (warm-started plans)
            boolean[] first = {true};
            for (int i = 0; i < warmup; i++) {
                agent.act(StepBatches.random(spec, first, rng), ActMode.EXPLORE);
                first[0] = false;
            }
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < plans; i++) {
                agent.act(StepBatches.random(spec, first, rng), ActMode.EXPLORE);
            }
            double perPlan = (System.nanoTime() - t0) / 1e9 / plans;
            double cpuPerPlan = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9 / plans;
            double rss = peakRssMiB();
            String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
            System.out.printf(Locale.ROOT, "worldgate %s %s (%,d parameters): %.1f ms/update (%.2f updates/s, batch %d), "
                    + "%.1f ms/plan (%.2f plans/s), peak RSS %.0f MiB, %s threads; CPU time of the calling thread: %.1f ms/update, "
                    + "%.1f ms/plan%n", label, preset, agent.parameterCount(), perUpdate * 1e3, 1 / perUpdate,
                    config.batchSize(), perPlan * 1e3, 1 / perPlan, rss, threads, cpuPerUpdate * 1e3, cpuPerPlan * 1e3);
            if (csv != null) {
                Path file = Path.of(csv);
                StringBuilder row = new StringBuilder();
                if (!Files.exists(file)) {
                    row.append("impl,label,preset,params,batch,updates,s_per_update,updates_per_s,plans,s_per_plan,"
                            + "plans_per_s,peak_rss_mib,threads,cpu_s_per_update,cpu_s_per_plan\n");
                }
                row.append(String.format(Locale.ROOT, "worldgate,%s,%s,%d,%d,%d,%.4f,%.3f,%d,%.4f,%.3f,%.0f,%s,%.4f,%.4f%n",
                        label, preset, agent.parameterCount(), config.batchSize(), updates, perUpdate, 1 / perUpdate,
                        plans, perPlan, 1 / perPlan, rss, threads, cpuPerUpdate, cpuPerPlan));
                Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    /** The process's peak resident set ({@code VmHWM} of /proc/self/status), in MiB; 0 where unknown. */
    static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }
}
