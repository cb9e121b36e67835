import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.internal.experience.DiskExperience;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmark of the disk experience store (not a test): appends steps of 64x64x3 uint8 pixels, a
 * 24-float state, a 6-float action and a reward from N environments, then samples batches of
 * 16 x 64 sequences, and appends one row to a markdown table. Run it through run.sh.
 *
 * <p>Arguments: --envs N --steps S --dir DATA_DIR --out FILE.md [--batches B] [--max-mapped-mib M] [--append]
 */
public final class ExperienceBench {
    private static final int POOL = 32;
    private static final int EPISODE = 1000;

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--append")) {
                a.put("append", "true");
            } else {
                a.put(args[i].substring(2), args[++i]);
            }
        }
        int envs = Integer.parseInt(a.getOrDefault("envs", "1"));
        long steps = Long.parseLong(a.getOrDefault("steps", "1000000"));
        int batches = Integer.parseInt(a.getOrDefault("batches", "1000"));
        Path dir = Path.of(a.get("dir"));
        Path out = Path.of(a.getOrDefault("out", "bench/results/experience.md"));

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        AtomicLong peakHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        Map<String, Space> obs = new LinkedHashMap<>();
        obs.put("image", BoxSpace.image(64, 64, 3));
        obs.put("state", BoxSpace.uniform(DType.FLOAT32, -10, 10, 24));
        EnvSpec spec = new EnvSpec("bench:pixels", new DictSpace(obs), BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), envs, EPISODE,
                Map.of());

        // A pool of pre-made observation and action batches, so that the loop measures the store.
        SplittableRandom rng = new SplittableRandom(1);
        NamedTensors[] pool = new NamedTensors[POOL];
        Tensor[] actions = new Tensor[POOL];
        for (int p = 0; p < POOL; p++) {
            Tensor image = Tensor.allocate(DType.UINT8, envs, 64, 64, 3);
            ByteBuffer b = image.buffer();
            while (b.remaining() >= 8) {
                b.putLong(rng.nextLong());
            }
            Tensor state = Tensor.allocate(DType.FLOAT32, envs, 24);
            Tensor act = Tensor.allocate(DType.FLOAT32, envs, 6);
            for (int k = 0; k < envs * 24; k++) {
                state.setFloat(k, (float) rng.nextGaussian());
            }
            for (int k = 0; k < envs * 6; k++) {
                act.setFloat(k, (float) rng.nextDouble(-1, 1));
            }
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("image", image);
            m.put("state", state);
            pool[p] = NamedTensors.of(m);
            actions[p] = act;
        }

        DiskExperience.Options options = DiskExperience.Options.defaults();
        if (a.containsKey("max-mapped-mib")) {
            options = options.withMaxMappedBytes(Long.parseLong(a.get("max-mapped-mib")) << 20);
        }
        DiskExperience store = DiskExperience.open(dir, spec, options);
        long iterations = steps / envs;
        int[] age = new int[envs];
        long[] ids = new long[envs];
        long nextId = 0;
        for (int i = 0; i < envs; i++) {
            age[i] = -1 - i * (EPISODE / Math.max(1, envs)); // stagger episode ends
            ids[i] = nextId++;
        }
        long t0 = System.nanoTime();
        for (long it = 0; it <= iterations - 1; it++) {
            float[] rewards = new float[envs];
            boolean[] terminated = new boolean[envs];
            boolean[] truncated = new boolean[envs];
            boolean[] first = new boolean[envs];
            long[] epIds = new long[envs];
            for (int i = 0; i < envs; i++) {
                if (it == 0 || age[i] >= EPISODE - 1) {
                    first[i] = true;
                    age[i] = it == 0 ? Math.floorMod(age[i], EPISODE) : 0;
                    if (it > 0) {
                        ids[i] = nextId++;
                    }
                } else {
                    age[i]++;
                    rewards[i] = 0.5f;
                    truncated[i] = age[i] == EPISODE - 1;
                }
                epIds[i] = ids[i];
            }
            if (it > 0) {
                store.appendActions(actions[(int) (it % POOL)]);
            }
            store.appendObservations(new StepBatch(pool[(int) (it % POOL)], rewards, terminated, truncated, first, epIds));
        }
        store.flush();
        double appendSeconds = (System.nanoTime() - t0) / 1e9;
        long stored = store.numSteps();
        long heapAfterAppend = peakHeap.get();
        String rssAfterAppend = rss();

        SplittableRandom sampleRng = new SplittableRandom(2);
        long t1 = System.nanoTime();
        double maskSum = 0;
        for (int b = 0; b < batches; b++) {
            SequenceBatch batch = store.sampleSequences(16, 64, sampleRng);
            maskSum += batch.mask().getFloat(0) + batch.mask().getFloat(16 * 64 - 1);
        }
        double sampleSeconds = (System.nanoTime() - t1) / 1e9;
        if (maskSum == 0) {
            throw new IllegalStateException("samples look empty");
        }
        String rssAfterSample = rss();
        // The floor under sampling: allocating the batch's output tensors alone (zeroed direct memory).
        int allocBatches = Math.max(1, batches / 5);
        long t3 = System.nanoTime();
        for (int b = 0; b < allocBatches; b++) {
            Tensor.allocate(DType.UINT8, 16, 64, 64, 64, 3);
            Tensor.allocate(DType.FLOAT32, 16, 64, 24);
            Tensor.allocate(DType.FLOAT32, 16, 64, 6);
            for (int k = 0; k < 4; k++) {
                Tensor.allocate(DType.FLOAT32, 16, 64);
            }
        }
        double allocSeconds = (System.nanoTime() - t3) / 1e9;
        long mapped = store.mappedBytes();
        store.close();
        long disk = diskBytes(dir);

        long t2 = System.nanoTime();
        DiskExperience reopened = DiskExperience.open(dir, spec);
        double reopenSeconds = (System.nanoTime() - t2) / 1e9;
        DiskExperience.Recovery recovery = reopened.recovery();
        reopened.close();
        sampler.interrupt();
        sampler.join();

        String row = String.format("| %d | %,d | %,.0f | %.1f | %,.1f | %,.0f | %,.1f | %.2f | %.0f | %d | %s | %s | %.1f (%,d steps) |%n",
                envs, stored, stored / appendSeconds, appendSeconds, batches / sampleSeconds,
                batches * 16.0 * 64 / sampleSeconds, allocBatches / allocSeconds, disk / 1e9, peakHeap.get() / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576, rssAfterAppend, rssAfterSample, reopenSeconds, recovery.steps());
        Files.createDirectories(out.toAbsolutePath().getParent());
        if (!a.containsKey("append") || !Files.exists(out)) {
            Files.writeString(out, "| envs | steps stored | append steps/s | append s | sample batches/s (16x64) "
                    + "| sampled steps/s | allocating the output tensors alone, batches/s | disk GB | peak heap used MiB | max heap MiB | RSS after append MiB (anon+file) "
                    + "| RSS after sampling MiB (anon+file) | reopen s (steps recovered) |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(out, row, StandardOpenOption.APPEND);
        System.out.print(row);
        System.out.printf("chunk steps %d, mapped at the end %.0f MiB, heap peak during append %.0f MiB, %s%n",
                store.chunkSteps(), mapped / 1048576.0, heapAfterAppend / 1048576.0, recovery);
    }

    /** VmRSS (RssAnon + RssFile) in MiB, from /proc/self/status. */
    private static String rss() throws IOException {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            String[] parts = line.split("\\s+");
            if (parts.length >= 2 && (line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile")
                    || line.startsWith("VmHWM"))) {
                kb.put(parts[0].replace(":", ""), Long.parseLong(parts[1]));
            }
        }
        return String.format("%,d (%,d+%,d)", kb.getOrDefault("VmRSS", 0L) / 1024, kb.getOrDefault("RssAnon", 0L) / 1024,
                kb.getOrDefault("RssFile", 0L) / 1024);
    }

    private static long diskBytes(Path dir) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                total += Files.size(p);
            }
        }
        return total;
    }
}
