package io.worldgate.gateway.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The checkpoints of a run directory, {@code checkpoints/NNNN-stepS-agent-version/}: how one is
 * sealed, how a damaged one is told from an intact one, and which are kept.
 *
 * <p>A checkpoint is sealed by {@value #INFO_FILE}, written last (to a temporary file, then
 * renamed). Its lines are {@code key=value}: {@code format=2}, the run's facts ({@code agent},
 * {@code version}, {@code bundle}, {@code step}, {@code episodes}, {@code reason}), then one
 * {@code file=SHA256 SIZE PATH} line per file the agent wrote, and last {@code sha256=} the
 * SHA-256 of every byte before that line. A checkpoint whose info file is missing, empty, cut
 * short or altered, or whose files differ from their lines, is damaged and never resumed from.
 * Info files written before the manifest existed (no {@code format} line) are taken as they are.
 */
public final class Checkpoints {
    /** The file that seals a checkpoint directory: whose it is, at which step, and its files' checksums. */
    public static final String INFO_FILE = "checkpoint.properties";
    /** The folder of a run directory that holds the checkpoints. */
    public static final String DIRECTORY = "checkpoints";
    private static final String FORMAT = "2";
    private static final String SELF_HASH = "sha256=";
    private static final String FILE = "file";

    private Checkpoints() {}

    /**
     * An intact checkpoint.
     *
     * @param directory its directory
     * @param number its sequence number (the directory name's leading digits)
     * @param step env steps of the run when it was written
     * @param episodes episodes finished by then
     * @param info every {@code key=value} line but the file checksums
     * @param verified whether its files were checked against the manifest (false for an info
     *     file of the format before manifests, and for a quick look)
     */
    public record Checkpoint(Path directory, int number, long step, long episodes, Map<String, String> info,
            boolean verified) {
        public Checkpoint {
            info = Map.copyOf(info);
        }

        public String name() {
            return directory.getFileName().toString();
        }
    }

    /** A checkpoint directory that is not whole; the message says what is wrong. */
    public static final class DamagedCheckpointException extends IOException {
        private static final long serialVersionUID = 1L;

        private final String why;

        public DamagedCheckpointException(Path dir, String why) {
            super(dir.getFileName() + ": " + why);
            this.why = why;
        }

        /** What is wrong, without the directory's name. */
        public String why() {
            return why;
        }
    }

    /**
     * Seals {@code dir}, whose files the agent has written: checksums every file and writes
     * {@value #INFO_FILE} with {@code facts} and the checksums.
     */
    public static void seal(Path dir, Map<String, String> facts) throws IOException {
        StringBuilder text = new StringBuilder("format=" + FORMAT + "\n");
        facts.forEach((k, v) -> text.append(k).append('=').append(oneLine(v)).append('\n'));
        for (Path file : agentFiles(dir)) {
            text.append(FILE).append('=').append(sha256(file)).append(' ').append(Files.size(file)).append(' ')
                    .append(relative(dir, file)).append('\n');
        }
        String selfHash = sha256(text.toString().getBytes(StandardCharsets.UTF_8));
        text.append(SELF_HASH).append(selfHash).append('\n');
        Path tmp = dir.resolve(INFO_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(INFO_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads and checks the checkpoint in {@code dir}: its info file always, the checksums of its
     * files when {@code verifyFiles}.
     *
     * @throws DamagedCheckpointException if it is not whole
     */
    public static Checkpoint read(Path dir, boolean verifyFiles) throws IOException {
        Path infoFile = dir.resolve(INFO_FILE);
        if (!Files.isRegularFile(infoFile)) {
            throw new DamagedCheckpointException(dir, "no " + INFO_FILE + " (the checkpoint was not finished)");
        }
        byte[] bytes = Files.readAllBytes(infoFile);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new DamagedCheckpointException(dir, INFO_FILE + " is empty");
        }
        Map<String, String> info = new LinkedHashMap<>();
        List<String[]> files = new ArrayList<>();
        int selfHashAt = -1;
        String selfHash = null;
        int offset = 0;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith(SELF_HASH)) {
                selfHashAt = offset;
                selfHash = line.substring(SELF_HASH.length()).trim();
            } else if (line.startsWith(FILE + "=")) {
                files.add(line.substring(FILE.length() + 1).split(" ", 3));
            } else if (line.indexOf('=') > 0) {
                info.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
            offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        // Written before checksums: no format line and no checksum line of any kind. A sealed file
        // with one changed byte in its format key is not mistaken for one of those.
        boolean legacy = !info.containsKey("format") && selfHash == null && files.isEmpty();
        if (!legacy) {
            if (selfHash == null) {
                throw new DamagedCheckpointException(dir, INFO_FILE + " is cut short (no " + SELF_HASH + " line)");
            }
            byte[] sealed = java.util.Arrays.copyOf(bytes, selfHashAt);
            if (!sha256(sealed).equals(selfHash)) {
                throw new DamagedCheckpointException(dir, INFO_FILE + " does not match its own checksum");
            }
        }
        long step;
        long episodes;
        try {
            step = Long.parseLong(require(dir, info, "step"));
            episodes = Long.parseLong(info.getOrDefault("episodes", "0"));
        } catch (NumberFormatException e) {
            throw new DamagedCheckpointException(dir, INFO_FILE + " has no valid step: " + e.getMessage());
        }
        if (verifyFiles && !legacy) {
            for (String[] f : files) {
                if (f.length != 3) {
                    throw new DamagedCheckpointException(dir, "a file line of " + INFO_FILE + " is malformed");
                }
                Path file = dir.resolve(f[2]).normalize();
                if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                    throw new DamagedCheckpointException(dir, f[2] + " is missing");
                }
                if (Files.size(file) != Long.parseLong(f[1])) {
                    throw new DamagedCheckpointException(dir, f[2] + " has " + Files.size(file) + " bytes, " + f[1] + " were written");
                }
                if (!sha256(file).equals(f[0])) {
                    throw new DamagedCheckpointException(dir, f[2] + " does not match its checksum");
                }
            }
        }
        return new Checkpoint(dir, number(dir), step, episodes, info, verifyFiles && !legacy);
    }

    /**
     * The newest checkpoint of {@code runDir} that is whole (files verified when {@code verifyFiles}).
     * Each newer one that is damaged is told to {@code skipped}: its directory, and what is wrong with it.
     */
    public static Optional<Checkpoint> newestIntact(Path runDir, boolean verifyFiles, BiConsumer<Path, String> skipped) {
        for (Path dir : newestFirst(runDir)) {
            try {
                return Optional.of(read(dir, verifyFiles));
            } catch (IOException e) {
                skipped.accept(dir, e instanceof DamagedCheckpointException d ? d.why() : e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Deletes old checkpoints of {@code runDir}: keeps the newest {@code keep} whole ones (by a
     * look at their info files) and any in {@code protect}; deletes older whole ones and damaged
     * ones older than the newest whole one. Damaged ones newer than that stay, for inspection.
     *
     * @return the directories deleted
     */
    public static List<Path> prune(Path runDir, int keep, Collection<Path> protect) throws IOException {
        List<Path> deleted = new ArrayList<>();
        int intact = 0;
        for (Path dir : newestFirst(runDir)) {
            boolean whole;
            try {
                read(dir, false);
                whole = true;
            } catch (IOException e) {
                whole = false;
            }
            if (whole) {
                intact++;
            }
            boolean keepIt = whole ? intact <= keep : intact == 0;
            if (!keepIt && protect.stream().noneMatch(p -> p != null && p.normalize().equals(dir.normalize()))) {
                deleteTree(dir);
                deleted.add(dir);
            }
        }
        return deleted;
    }

    /** The numbered checkpoint directories of {@code runDir}, oldest first. */
    public static List<Path> numbered(Path runDir) {
        Path dir = runDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("\\d{4,9}-.*"))
                    .sorted(Comparator.comparingInt(Checkpoints::number)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints of " + runDir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> newestFirst(Path runDir) {
        List<Path> all = new ArrayList<>(numbered(runDir));
        java.util.Collections.reverse(all);
        return all;
    }

    /** The sequence number of a checkpoint directory: its name's leading digits. */
    public static int number(Path dir) {
        String name = dir.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.indexOf('-')));
    }

    private static String require(Path dir, Map<String, String> info, String key) throws DamagedCheckpointException {
        String v = info.get(key);
        if (v == null) {
            throw new DamagedCheckpointException(dir, INFO_FILE + " has no " + key);
        }
        return v.trim();
    }

    private static List<Path> agentFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(INFO_FILE))
                    .sorted().toList();
        }
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace('\\', '/');
    }

    private static String oneLine(String v) {
        return v == null ? "" : v.replace('\n', ' ').replace('\r', ' ');
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
