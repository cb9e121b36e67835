package io.worldgate.plugin.mae;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.agent.CheckpointFiles;
import io.worldgate.runtime.io.BlockCheckpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of an MAE checkpoint: the network as a {@link BlockCheckpoint} ({@value #NETWORK}),
 * the optimizer's state ({@value #OPTIMIZER}), and {@value #STATE}, written last, with the format,
 * the sizes and the update count as {@code key=value} lines. Its lines carry no time stamp (unlike
 * a {@code java.util.Properties} file), so a loaded learner saves the same bytes.
 */
final class MaeCheckpoint {
    static final String NETWORK = "mae-network";
    static final String NETWORK_KIND = "mae/vit/1";
    static final String OPTIMIZER = "mae-optimizer.bin";
    static final String STATE = "mae.txt";
    private static final String FORMAT = "format=worldgate-mae-1";
    /** The host's seal of a run's checkpoint directory. */
    private static final String SEAL = "checkpoint.properties";

    private MaeCheckpoint() {}

    static void writeState(Path dir, Map<String, String> values) throws IOException {
        StringBuilder s = new StringBuilder(FORMAT).append('\n');
        values.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        CheckpointFiles.write(dir.resolve(STATE), out -> out.write(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The {@code key=value} lines of the checkpoint in {@code dir}. */
    static Map<String, String> readState(Path dir) throws IOException, IncompatibleCheckpointException {
        Path file = dir.resolve(STATE);
        if (!Files.isRegularFile(file) || !BlockCheckpoint.exists(dir, NETWORK)) {
            throw new IncompatibleCheckpointException("no MAE checkpoint in " + dir + " (another plugin's, or an incomplete one)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IncompatibleCheckpointException(file + " is not in " + FORMAT);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(STATE)) && BlockCheckpoint.exists(dir, NETWORK);
    }

    /**
     * The checkpoint {@code path} names: {@code path} itself if it holds one, else the newest (by
     * name: the host numbers them) under {@code path/checkpoints}, a learner run's directory.
     */
    static Optional<Path> locate(Path path) throws IOException {
        if (isCheckpoint(path)) {
            return Optional.of(path);
        }
        Path checkpoints = path.resolve("checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            // sealed by the host (its checkpoint.properties written last), so never a half-written one
            return dirs.filter(p -> Files.isRegularFile(p.resolve(SEAL)) && isCheckpoint(p)).max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }
}
