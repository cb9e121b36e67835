package io.worldgate.runtime.agent;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * An agent's own checkpoint files (beside its networks' {@code BlockCheckpoint}): each written
 * whole or not at all, and a properties file that names the checkpoint's format and version so
 * that {@code load} can tell another agent's or an older checkpoint from its own.
 *
 * <p>Every file is written to {@code <name>.tmp} and then moved onto {@code <name>} (atomically
 * where the file system can), so a writer that fails, or a process that dies while writing, leaves
 * the previous file as it was. Write the properties file last: its presence then says that the
 * files written before it are complete.
 */
public final class CheckpointFiles {
    /** The property naming the checkpoint's format. */
    public static final String FORMAT = "format";
    /** The property holding the format's version, an integer. */
    public static final String FORMAT_VERSION = "formatVersion";

    private CheckpointFiles() {}

    /** Writes a file's content to a (buffered) stream; the stream is flushed and closed for it. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} through {@code file.tmp}; if {@code content} throws, the temporary file
     * is deleted and {@code file} keeps its old content (or stays absent).
     */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
            move(tmp, file);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Writes a properties file with {@link #FORMAT} and {@link #FORMAT_VERSION} and the other
     * entries of {@code values} (which must not use those two keys), through a temporary file.
     */
    public static void writeProperties(Path file, String format, int version, Map<String, String> values,
            String comment) throws IOException {
        if (values.containsKey(FORMAT) || values.containsKey(FORMAT_VERSION)) {
            throw new IllegalArgumentException("'" + FORMAT + "' and '" + FORMAT_VERSION + "' are written from the arguments");
        }
        Properties p = new Properties();
        p.putAll(values);
        p.setProperty(FORMAT, format);
        p.setProperty(FORMAT_VERSION, Integer.toString(version));
        write(file, out -> {
            Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            p.store(w, comment);
            w.flush();
        });
    }

    /**
     * Reads a properties file written by {@link #writeProperties} and checks its format and version.
     *
     * @throws IncompatibleCheckpointException if the file is missing or has another format or version
     * @throws IOException if it cannot be read
     */
    public static Properties readProperties(Path file, String format, int version)
            throws IOException, IncompatibleCheckpointException {
        if (!Files.isRegularFile(file)) {
            throw new IncompatibleCheckpointException("no " + file.getFileName() + " in " + file.getParent()
                    + " (another agent's checkpoint, or an incomplete one)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        if (!format.equals(p.getProperty(FORMAT)) || !Integer.toString(version).equals(p.getProperty(FORMAT_VERSION))) {
            throw new IncompatibleCheckpointException("checkpoint " + file.getParent() + " has format "
                    + p.getProperty(FORMAT) + " v" + p.getProperty(FORMAT_VERSION) + "; this agent reads " + format
                    + " v" + version);
        }
        return p;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
