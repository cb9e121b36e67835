package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.experience.Experience;
import io.worldgate.plugin.mae.MaeBenchEncoders;
import io.worldgate.runtime.nn.ImageEncoder;
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

/**
 * The MAE encoder's speed on the CPU, in one process: (1) encoder throughput, frames a second
 * through the encoder (every patch, no masking) at batch 64; (2) the added cost per Dreamer update
 * of {@code encoder=mae} in each {@code encoder_mode} against Dreamer's own CNN, the same Dreamer
 * size and synthetic replay, timed one after the other (ratios, so that the load of the machine
 * cancels as far as it can). Appends rows to a CSV and prints a table.
 *
 * <p>Args: {@code --mae P --preset P --updates N --csv FILE --label L [--set key=value ...]}.
 */
public final class MaeBench {
    private MaeBench() {}

    public static void main(String[] args) throws Exception {
        String mae = "small64";
        String preset = "debug";
        int updates = 3;
        String csv = null;
        String label = "";
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mae" -> mae = args[++i];
                case "--preset" -> preset = args[++i];
                case "--updates" -> updates = Integer.parseInt(args[++i]);
                case "--csv" -> csv = args[++i];
                case "--label" -> label = args[++i];
                case "--set" -> {
                    String[] kv = args[++i].split("=", 2);
                    overrides.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        overrides.putIfAbsent("video_every", "0");
        List<String> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            ImageEncoder encoder = MaeBenchEncoders.random(mae, manager);
            double fps = throughput(encoder, manager);
            int batch = encoder.imageSize()[0] > 64 ? 8 : 64;
            System.out.printf(Locale.ROOT, "%s mae %s (%dx%d): %.1f frames/s through the encoder (batch %d)%n", label, mae,
                    encoder.imageSize()[0], encoder.imageSize()[1], fps, batch);
            rows.add(String.format(Locale.ROOT, "%s,%s,encoder,,%d,%.1f,,,", label, mae, batch, fps));
            if (encoder.imageSize()[0] == 64) {
                EnvSpec spec = DreamerSpeedBench.spec("dmc_vision");
                DreamerSpeedBench.SyntheticExperience replay = new DreamerSpeedBench.SyntheticExperience(spec, 2000, 1);
                double cnn = 0;
                for (String mode : List.of("cnn", "frozen", "finetune", "online")) {
                    Map<String, String> o = new LinkedHashMap<>(overrides);
                    if (!mode.equals("cnn")) {
                        o.put("encoder", "mae");
                        o.put("encoder_mode", mode);
                        o.putIfAbsent("encoder_cache_frames", "0"); // the encoder's own cost: a synthetic batch repeats its frames
                    }
                    AgentConfig config = AgentConfig.resolve(new DreamerAgentFactory().descriptor(), preset, o);
                    double s = secondsPerUpdate(spec, config, replay, encoder, updates);
                    if (mode.equals("cnn")) {
                        cnn = s;
                    }
                    DreamerConfig c = DreamerConfig.from(config);
                    System.out.printf(Locale.ROOT, "%s dreamer %s B=%d T=%d encoder %-8s %.3f s/update, %.2fx the CNN's,"
                            + " %+.0f ms%n", label, preset, c.batchSize(), c.batchLength(), mode, s, s / cnn,
                            (s - cnn) * 1000);
                    rows.add(String.format(Locale.ROOT, "%s,%s,dreamer-%s,%s,%d,,%.4f,%.3f,%.1f", label, mae, preset, mode,
                            c.batchSize() * c.batchLength(), s, s / cnn, (s - cnn) * 1000));
                }
            }
        }
        if (csv != null) {
            Path file = Path.of(csv);
            StringBuilder out = new StringBuilder();
            if (!Files.exists(file)) {
                out.append("label,mae,what,encoder_mode,frames,frames_per_s,s_per_update,ratio_to_cnn,added_ms\n");
            }
            rows.forEach(r -> out.append(r).append('\n'));
            Files.writeString(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /**
     * Frames a second through {@code encoder}, batches of 64 random frames (8 at 224x224, whose
     * activations at 64 outgrow a shared machine's memory), after one warm-up batch.
     */
    static double throughput(ImageEncoder encoder, NDManager manager) {
        int h = encoder.imageSize()[0];
        int w = encoder.imageSize()[1];
        int batch = h > 64 ? 8 : 64;
        int reps = h > 64 ? 1 : 5;
        try (NDManager m = manager.newSubManager()) {
            NDArray frames = m.randomInteger(0, 256, new Shape(batch, h, w, 3), DataType.INT32).toType(DataType.UINT8, false);
            encoder.encode(frames).toFloatArray();
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                encoder.encode(frames).toFloatArray();
            }
            return batch * reps / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double secondsPerUpdate(EnvSpec spec, AgentConfig config, Experience replay, ImageEncoder encoder, int updates)
            throws Exception {
        Path work = Files.createTempDirectory("mae-bench");
        try (DreamerAgent agent = (DreamerAgent) new DreamerAgentFactory().create(spec, config,
                new Context(replay, work, encoder))) {
            agent.act(DreamerSpeedBench.batch(spec, 1), ActMode.EXPLORE);
            agent.train(1);
            long t0 = System.nanoTime();
            agent.train(updates);
            return (System.nanoTime() - t0) / 1e9 / updates;
        }
    }

    /** A bench agent's context: the synthetic replay, the MAE encoder as the {@code mae} service, no metrics. */
    record Context(Experience experience, Path workDirectory, ImageEncoder encoder) implements AgentContext {
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
        public String device() {
            return "cpu";
        }

        @Override
        public <S> Optional<S> service(Class<S> type, String name) {
            return type == ImageEncoder.class && name.equals("mae") ? Optional.of(type.cast(encoder)) : Optional.empty();
        }
    }
}
