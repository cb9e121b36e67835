package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Another run's experience, read without touching it: its sealed chunk files and layout file are
 * hard-linked (copied where links are not possible) into a folder of the reader's own, which is
 * then opened as a {@link DiskExperience}. Chunk files are never written in place (a chunk is
 * written to a {@code .part} file and renamed), so a link sees exactly the chunk that was sealed,
 * even while the source run goes on appending, deleting old chunks or recovering from a crash:
 * none of that reaches the snapshot, and opening the snapshot (its lock, a torn chunk set aside)
 * changes nothing of the source.
 */
public final class ExperienceSnapshot {
    private ExperienceSnapshot() {}

    /** An opened snapshot: the store, and the spec it was opened with ({@link #storedSpec}). */
    public record Opened(DiskExperience store, EnvSpec spec) {}

    /** Whether {@code experienceDir} holds stored steps: a layout file and at least one chunk file. */
    public static boolean hasSteps(Path experienceDir) {
        if (!Files.isRegularFile(experienceDir.resolve(DiskExperience.LAYOUT_FILE))) {
            return false;
        }
        try (Stream<Path> files = Files.list(experienceDir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(ChunkFormat.SUFFIX));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The observations stored in {@code experienceDir}, as {@link #storedSpec} gives them.
     *
     * @throws IllegalArgumentException if it holds no stored steps or an unreadable layout
     * @throws UncheckedIOException if its layout file cannot be read
     */
    public static DictSpace storedObservations(Path experienceDir) {
        if (!hasSteps(experienceDir)) {
            throw new IllegalArgumentException("no stored experience in " + experienceDir);
        }
        try {
            return storedSpec(Files.readString(experienceDir.resolve(DiskExperience.LAYOUT_FILE), StandardCharsets.UTF_8),
                    "stored", 1).observationSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + experienceDir.resolve(DiskExperience.LAYOUT_FILE) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Links the chunks of {@code source} into {@code target} (created; what it held before is
     * replaced) and opens them, for {@code numEnvs} environments of {@code envId}.
     *
     * @throws IllegalArgumentException if {@code source} holds no stored steps, or a layout this
     *     gateway cannot read
     * @throws UncheckedIOException if the files cannot be linked or copied
     */
    public static Opened open(Path source, Path target, String envId, int numEnvs) {
        if (!hasSteps(source)) {
            throw new IllegalArgumentException("no stored experience in " + source);
        }
        try {
            deleteTree(target);
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(source)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(ChunkFormat.SUFFIX) || name.equals(DiskExperience.LAYOUT_FILE)) {
                        link(p, target.resolve(name));
                    }
                }
            }
            EnvSpec spec = storedSpec(Files.readString(target.resolve(DiskExperience.LAYOUT_FILE), StandardCharsets.UTF_8),
                    envId, numEnvs);
            return new Opened(DiskExperience.open(target, spec, DiskExperience.Options.defaults()), spec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take a snapshot of " + source + ": " + e.getMessage(), e);
        }
    }

    /** Deletes {@code dir} and everything in it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void link(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // another file system, or one without hard links: a copy holds the same sealed bytes
            Files.copy(from, to);
        }
    }

    /**
     * The spec whose step layout is {@code layoutFile}: each observation and the action as a box of
     * its stored dtype and shape, bounded by the dtype's range (uint8: 0 to 255; others
     * unbounded), since the store keeps no bounds. Its layout is the stored one, so the chunks open.
     */
    static EnvSpec storedSpec(String layoutFile, String envId, int numEnvs) {
        List<String> lines = layoutFile.lines().toList();
        if (lines.isEmpty() || !lines.get(0).equals("worldgate-experience " + ChunkFormat.VERSION)) {
            throw new IllegalArgumentException("the experience was stored in a format this gateway does not read: "
                    + (lines.isEmpty() ? "empty layout file" : lines.get(0)));
        }
        Map<String, Space> observations = new LinkedHashMap<>();
        Space action = null;
        for (String line : lines.subList(1, lines.size())) {
            int eq = line.indexOf('=');
            int open = line.indexOf('[', eq);
            if (eq < 0 || open < 0 || !line.endsWith("]")) {
                throw new IllegalArgumentException("unreadable layout line '" + line + "'");
            }
            String name = line.substring(0, eq);
            DType dtype = DType.valueOf(line.substring(eq + 1, open));
            String dims = line.substring(open + 1, line.length() - 1);
            int[] shape = dims.isEmpty() ? new int[0] : Arrays.stream(dims.split(",")).mapToInt(Integer::parseInt).toArray();
            if (name.startsWith(StepLayout.OBS_PREFIX)) {
                observations.put(name.substring(StepLayout.OBS_PREFIX.length()), box(dtype, shape));
            } else if (name.equals(StepLayout.ACTION)) {
                action = box(dtype, shape);
            }
        }
        if (action == null || observations.isEmpty()) {
            throw new IllegalArgumentException("the layout file names no action or no observation");
        }
        return new EnvSpec(envId, new DictSpace(observations), action, numEnvs, 0, Map.of());
    }

    private static BoxSpace box(DType dtype, int[] shape) {
        return dtype == DType.UINT8 ? BoxSpace.uniform(dtype, 0, 255, shape)
                : BoxSpace.uniform(dtype, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, shape);
    }
}
