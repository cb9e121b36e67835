package io.worldgate.bench.gpu;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Each agent family's update on the CPU and, when DJL sees a CUDA device, on the GPU, one family
 * after the other (CPU then GPU, so that both see the same load): seconds per update, updates a
 * second and the GPU's speed-up. It first says which libtorch DJL loaded. A GPU row counts only if
 * every parameter of the model is on the GPU after its updates; otherwise it says where they were.
 * Prints a table, rewrites a Markdown report and appends CSV rows. Exits 1 when a family failed or
 * did not run where asked, 2 when DJL could not load libtorch at all.
 *
 * <p>Args: {@code --family family=preset=classpath ... [--updates N] [--warmup W] [--csv FILE] [--md FILE]
 * [--label L] [--note TEXT] [--command TEXT]}.
 */
public final class GpuCheck {
    /** The libtorch version whose JNI ships inside DJL 0.35's pytorch-jni jar (cpu and cu128 on linux-x86_64). */
    static final String JNI_LIBTORCH = "2.7.1";

    /** Each family's bench class, which times its update on a device. */
    private static final Map<String, String> ADAPTERS = Map.of(
            "dreamer", "io.worldgate.plugin.dreamer.DreamerOnDevice",
            "tdmpc2", "io.worldgate.plugin.tdmpc2.TdMpc2OnDevice",
            "worldmodels", "io.worldgate.plugin.worldmodels.WorldModelsOnDevice",
            "mae", "io.worldgate.plugin.mae.MaeOnDevice");

    private GpuCheck() {}

    /** One family's timing, by device; a missing GPU entry is explained by {@code gpuNote}. */
    private record Row(String family, String preset, String batch, Timed cpu, String cpuNote, Timed gpu, String gpuNote) {}

    public static void main(String[] args) throws Exception {
        int updates = 3;
        int warmup = 1;
        Map<String, String> presets = new LinkedHashMap<>();
        Map<String, String> classPaths = new LinkedHashMap<>();
        String csv = null;
        String md = null;
        String label = "";
        String note = "";
        String command = "bench/gpu/check.sh";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--updates" -> updates = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--family" -> {
                    // family=preset=class path of its plugin jar and bench classes
                    String[] f = args[++i].split("=", 3);
                    if (f.length < 3 || !ADAPTERS.containsKey(f[0])) {
                        throw new IllegalArgumentException("--family takes family=preset=classpath, family one of "
                                + ADAPTERS.keySet());
                    }
                    presets.put(f[0], f[1]);
                    classPaths.put(f[0], f[2]);
                }
                case "--csv" -> csv = args[++i];
                case "--md" -> md = args[++i];
                case "--label" -> label = args[++i];
                case "--note" -> note = args[++i];
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String loadStart = loadAverage();
        String libtorch;
        int gpus;
        try {
            Engine engine = Engine.getInstance();
            gpus = engine.getGpuCount();
            libtorch = describe(engine, gpus);
        } catch (Throwable t) { // the natives failed to load: an error of the setup, not of the bench
            System.err.println("DJL could not load libtorch (" + env("PYTORCH_LIBRARY_PATH") + ", version "
                    + env("PYTORCH_VERSION") + ", flavor " + env("PYTORCH_FLAVOR") + "): " + rootMessage(t) + ". "
                    + loadHint(rootMessage(t)));
            System.exit(2);
            return;
        }
        System.out.println(libtorch);
        if (gpus == 0) {
            System.out.println("no CUDA device: DJL sees no GPU, so only the CPU rows run");
        }
        List<Row> rows = new ArrayList<>();
        for (String family : presets.keySet()) {
            String preset = presets.get(family);
            URLClassLoader loader = loader(classPaths.get(family));
            List<Timed> cpu;
            try {
                cpu = time(loader, family, preset, "cpu", warmup, updates);
            } catch (Throwable t) {
                rows.add(new Row(family, preset, "", null, "failed: " + rootMessage(t), null, "not run"));
                continue;
            }
            List<Timed> gpu = List.of();
            String gpuNote = "no CUDA device: not run";
            if (gpus > 0) {
                try {
                    gpu = time(loader, family, preset, "gpu", warmup, updates);
                    gpuNote = "";
                } catch (Throwable t) {
                    gpuNote = "failed: " + rootMessage(t);
                }
            }
            for (int k = 0; k < cpu.size(); k++) {
                Timed c = cpu.get(k);
                Timed g = k < gpu.size() ? gpu.get(k) : null;
                String cpuNote = "";
                String why = gpuNote;
                if (!c.ranWhereAsked()) {
                    cpuNote = "asked for cpu, parameters on " + c.placement() + ": not counted";
                    c = null;
                }
                if (g != null && !g.ranWhereAsked()) {
                    why = "asked for gpu, parameters on " + g.placement() + ": not counted";
                    g = null;
                }
                Timed any = cpu.get(k);
                rows.add(new Row(any.family(), any.preset(), any.batch(), c, cpuNote, g, why));
            }
        }
        String table = table(rows);
        System.out.print(table);
        String machine = machine(loadStart, loadAverage(), gpus);
        if (md != null) {
            Files.writeString(Path.of(md), report(label, note, command, libtorch, machine, updates, warmup, table),
                    StandardCharsets.UTF_8);
        }
        if (csv != null) {
            appendCsv(Path.of(csv), label, rows);
        }
        boolean bad = rows.stream().anyMatch(r -> r.cpu() == null || (gpus > 0 && r.gpu() == null));
        System.exit(bad ? 1 : 0);
    }

    /**
     * Runs the family's {@code <Family>OnDevice.time(preset, device, warmup, updates)}. Each family has
     * a class loader of its own (its plugin jar and its bench class), as each plugin has its bundle in
     * the gateway: the plugins' jars hold resources of the same name ({@code presets/debug.properties}).
     */
    @SuppressWarnings("unchecked")
    private static List<Timed> time(ClassLoader loader, String family, String preset, String device, int warmup,
            int updates) throws Throwable {
        System.out.printf(Locale.ROOT, "timing %s %s on %s...%n", family, preset, device);
        try {
            return (List<Timed>) Class.forName(ADAPTERS.get(family), true, loader)
                    .getMethod("time", String.class, String.class, int.class, int.class)
                    .invoke(null, preset, device, warmup, updates);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static URLClassLoader loader(String classPath) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), GpuCheck.class.getClassLoader());
    }

    /** Which libtorch DJL loaded, from where, with which flavor, and what it sees of CUDA. */
    static String describe(Engine engine, int gpus) {
        String path = LibUtils.getLibtorchPath();
        String override = System.getenv("PYTORCH_LIBRARY_PATH");
        boolean overridden = override != null && Arrays.stream(override.split(File.pathSeparator))
                .anyMatch(p -> !p.isBlank() && Path.of(p).toAbsolutePath().normalize().equals(Path.of(path).toAbsolutePath().normalize()));
        String flavor = path.matches(".*-(cpu|cu[0-9]+)-.*") ? path.replaceAll(".*-(cpu|cu[0-9]+)-.*", "$1")
                : overridden && System.getenv("PYTORCH_FLAVOR") != null ? System.getenv("PYTORCH_FLAVOR") : "flavor unknown";
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "libtorch %s (%s) loaded by DJL %s from %s; PYTORCH_LIBRARY_PATH=%s PYTORCH_VERSION=%s PYTORCH_FLAVOR=%s;"
                        + " CUDA %s, cuDNN %s, oneDNN %s; GPUs seen: %d",
                engine.getVersion(), flavor, Engine.getDjlVersion(), path, env("PYTORCH_LIBRARY_PATH"),
                env("PYTORCH_VERSION"), env("PYTORCH_FLAVOR"), yes(engine.hasCapability(StandardCapabilities.CUDA)),
                yes(engine.hasCapability(StandardCapabilities.CUDNN)), yes(engine.hasCapability(StandardCapabilities.MKLDNN)),
                gpus));
        if (gpus > 0) {
            try { // DJL reads these through the CUDA runtime library, which it may not find beside a libtorch
                var mem = CudaUtils.getGpuMemory(Device.gpu());
                b.append(String.format(Locale.ROOT, "; gpu(0): CUDA %s, compute capability %s, %.1f GiB",
                        CudaUtils.getCudaVersionString(), CudaUtils.getComputeCapability(0), mem.getMax() / 1073741824.0));
            } catch (RuntimeException | LinkageError e) {
                b.append("; gpu(0): no details (").append(rootMessage(e)).append(')');
            }
        }
        if (override != null && !overridden) {
            b.append("\nwarning: PYTORCH_LIBRARY_PATH=").append(override).append(" holds no libtorch that DJL could use;"
                    + " it loaded the one above instead");
        }
        String asked = System.getenv("PYTORCH_VERSION");
        if (asked != null && !asked.equals(JNI_LIBTORCH)) {
            b.append("\nwarning: PYTORCH_VERSION=").append(asked).append(" but DJL 0.35 carries the JNI for ")
                    .append(JNI_LIBTORCH).append(" only");
        }
        return b.toString();
    }

    static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| family | preset | batch | device | s/update | updates/s | gpu/cpu |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(line(r, r.cpu(), "cpu", r.cpuNote(), ""));
            String ratio = r.gpu() != null && r.cpu() != null
                    ? String.format(Locale.ROOT, "%.2fx", r.cpu().secondsPerUpdate() / r.gpu().secondsPerUpdate()) : "";
            b.append(line(r, r.gpu(), "gpu", r.gpuNote(), ratio));
        }
        return b.toString();
    }

    private static String line(Row r, Timed t, String device, String note, String ratio) {
        String timing = t == null ? note.replace('|', '/') + " | " : String.format(Locale.ROOT, "%.4f | %.2f", t.secondsPerUpdate(),
                1 / t.secondsPerUpdate());
        String where = t == null ? device : t.placement();
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.family(), r.preset(), r.batch(), where,
                timing, ratio);
    }

    private static String report(String label, String note, String command, String libtorch, String machine, int updates,
            int warmup, String table) {
        return "# Agents' updates on a CUDA device and on the CPU (bench/gpu/check.sh)\n\n"
                + "Run `" + command + "` (label " + label + "). Each family's update is timed over " + updates
                + " updates after " + warmup + " warm-up, on the CPU and then, when DJL sees a GPU, on the GPU; a GPU row"
                + " counts only if every parameter of the model is on the GPU after its updates. gpu/cpu is the"
                + " GPU's updates/s over the CPU's.\n\n"
                + "- Machine: " + machine + "\n"
                + "- libtorch: " + libtorch.replace("\n", "; ") + "\n"
                + (note.isEmpty() ? "" : "- Note: " + note + "\n")
                + "\n" + table;
    }

    private static void appendCsv(Path file, String label, List<Row> rows) throws IOException {
        StringBuilder b = new StringBuilder();
        if (!Files.exists(file)) {
            b.append("label,family,preset,batch,device,updates,s_per_update,updates_per_s,gpu_over_cpu,note\n");
        }
        for (Row r : rows) {
            for (String device : List.of("cpu", "gpu")) {
                Timed t = device.equals("cpu") ? r.cpu() : r.gpu();
                String why = device.equals("cpu") ? r.cpuNote() : r.gpuNote();
                String ratio = device.equals("gpu") && t != null && r.cpu() != null
                        ? String.format(Locale.ROOT, "%.3f", r.cpu().secondsPerUpdate() / t.secondsPerUpdate()) : "";
                b.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s,%s,%s,\"%s\"%n", label, r.family(), r.preset(),
                        r.batch(), t == null ? device : t.placement(), t == null ? "" : t.updates(),
                        t == null ? "" : String.format(Locale.ROOT, "%.4f", t.secondsPerUpdate()),
                        t == null ? "" : String.format(Locale.ROOT, "%.3f", 1 / t.secondsPerUpdate()), ratio,
                        t == null ? why.replace("\"", "'") : ""));
            }
        }
        Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The CPU model, its cores, the memory, the libtorch threads, the load average, and the GPU if any. */
    static String machine(String loadStart, String loadEnd, int gpus) {
        String cpu = "unknown CPU";
        String mem = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
            mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> String.format(Locale.ROOT, ", %.0f GiB memory",
                            Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0)).orElse("");
        } catch (IOException | RuntimeException e) {
            // not Linux: the JVM's count of cores is still known
        }
        return String.format(Locale.ROOT, "%s, %d cores%s; libtorch threads %s; load average %s at the start, %s at the end; %s",
                cpu, Runtime.getRuntime().availableProcessors(), mem,
                System.getProperty("ai.djl.pytorch.num_threads", "default (one per core)"), loadStart, loadEnd,
                gpus > 0 ? gpus + " CUDA device(s) seen by DJL" : "no CUDA device");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** What to do when libtorch did not load: the driver is missing, or the version is not the JNI's. */
    static String loadHint(String cause) {
        if (cause.contains("libcuda.so")) {
            return "A CUDA libtorch needs the NVIDIA driver's libcuda.so.1, which this machine lacks: unset"
                    + " PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR to use the CPU libtorch";
        }
        return "DJL 0.35 carries its JNI for libtorch " + JNI_LIBTORCH + " only (cpu, cu128 on linux-x86_64); another"
                + " version, e.g. a newer CUDA libtorch, needs DJL's JNI built for it, which DJL downloads and cannot"
                + " offline: point PYTORCH_LIBRARY_PATH at a libtorch " + JNI_LIBTORCH + " with PYTORCH_VERSION="
                + JNI_LIBTORCH + " PYTORCH_FLAVOR=cu128 (see the README's GPU section)";
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getClass().getSimpleName() + ": " + r.getMessage();
        return m.lines().findFirst().orElse(m).replaceAll("\\.+$", "");
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "(unset)" : v;
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }
}
