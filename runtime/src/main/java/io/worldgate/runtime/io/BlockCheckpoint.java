package io.worldgate.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Saves and loads the parameters of a DJL {@link Block} in a directory, as two files:
 *
 * <ul>
 *   <li>{@code <name>.params}: the parameter arrays in the safetensors format (DJL's
 *       {@code NDList.encode(out, Encoding.SAFETENSORS)}), keyed by the parameter paths of
 *       {@code block.getParameters()} such as {@code 01Linear_weight}; Python can read it with the
 *       {@code safetensors} package;</li>
 *   <li>{@code <name>.properties}: a header with {@code format=worldgate-block-params},
 *       {@code formatVersion}, an optional caller-chosen {@code kind} (such as
 *       {@code dreamer/world-model/1}), the block class, the byte size of the parameter file, and
 *       for every parameter {@code param.<i>.name}, {@code .shape} (comma separated) and
 *       {@code .dtype}.</li>
 * </ul>
 *
 * <p>Loading reads the header first and compares it with the target block (which must be
 * initialised, so that its shapes are known): a different format version, kind, parameter count,
 * name, shape or type, or a parameter file of the wrong size, throws
 * {@link IncompatibleCheckpointException} listing the differences. The arrays are then decoded
 * into a scratch manager and checked again, and only then copied <em>in place</em> into the
 * block's existing parameter arrays: the block is never half loaded, and every reference to its
 * parameters (a {@code ParameterStore}'s cache, an optimizer, an {@code EmaTarget}) stays valid.
 *
 * <p>Why not DJL's {@code Block.saveParameters}/{@code loadParameters} stream: its loader
 * replaces each parameter's array with a new one, so a {@code ParameterStore} that already served
 * the block keeps returning the old arrays (closed, or stale); it also leaves the new arrays
 * without gradients and does not check shapes.
 *
 * <p>Writes go to temporary files moved into place, parameter file first and header last: a
 * header always describes a complete parameter file.
 */
public final class BlockCheckpoint {
    /** The value of the header's {@code format} key. */
    public static final String FORMAT = "worldgate-block-params";
    /** The header format this class writes. */
    public static final int FORMAT_VERSION = 1;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final int MAX_LISTED = 8;

    private BlockCheckpoint() {}

    /** The parameter file of checkpoint {@code name} in {@code dir}. */
    public static Path paramsFile(Path dir, String name) {
        return dir.resolve(checkName(name) + ".params");
    }

    /** The header file of checkpoint {@code name} in {@code dir}. */
    public static Path headerFile(Path dir, String name) {
        return dir.resolve(checkName(name) + ".properties");
    }

    /** Whether a checkpoint {@code name} exists in {@code dir} (its header does). */
    public static boolean exists(Path dir, String name) {
        return Files.isRegularFile(headerFile(dir, name));
    }

    /** {@link #save(Block, Path, String, String)} without a kind. */
    public static void save(Block block, Path dir, String name) throws IOException {
        save(block, dir, name, null);
    }

    /**
     * Writes the parameters of {@code block} (initialised) as checkpoint {@code name} in
     * {@code dir}, creating the directory if needed and replacing an older checkpoint.
     *
     * @param kind what the block is, checked on load (null for no check)
     */
    public static void save(Block block, Path dir, String name, String kind) throws IOException {
        List<Parameter> params = parameters(block);
        Files.createDirectories(dir);
        Path params0 = paramsFile(dir, name);
        Path header0 = headerFile(dir, name);
        Path paramsTmp = dir.resolve(params0.getFileName() + ".tmp");
        Path headerTmp = dir.resolve(header0.getFileName() + ".tmp");
        List<String> keys = keys(block);
        NDList list = new NDList(params.size());
        String[] names = new String[params.size()];
        for (int i = 0; i < params.size(); i++) {
            NDArray a = params.get(i).getArray();
            names[i] = a.getName();
            a.setName(keys.get(i));
            list.add(a);
        }
        try (OutputStream os = Files.newOutputStream(paramsTmp);
                BufferedOutputStream out = new BufferedOutputStream(os, 1 << 16)) {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        } finally {
            for (int i = 0; i < params.size(); i++) {
                params.get(i).getArray().setName(names[i]);
            }
        }
        long bytes = Files.size(paramsTmp);

        Properties h = new Properties();
        h.setProperty("format", FORMAT);
        h.setProperty("formatVersion", Integer.toString(FORMAT_VERSION));
        if (kind != null) {
            h.setProperty("kind", kind);
        }
        h.setProperty("block", block.getClass().getName());
        h.setProperty("paramsBytes", Long.toString(bytes));
        h.setProperty("param.count", Integer.toString(params.size()));
        for (int i = 0; i < params.size(); i++) {
            NDArray a = params.get(i).getArray();
            h.setProperty("param." + i + ".name", keys.get(i));
            h.setProperty("param." + i + ".shape", shapeText(a.getShape()));
            h.setProperty("param." + i + ".dtype", a.getDataType().name());
        }
        try (Writer w = Files.newBufferedWriter(headerTmp, StandardCharsets.UTF_8)) {
            h.store(w, "Worldgate block parameters; the parameters are in " + params0.getFileName());
        }
        move(paramsTmp, params0);
        move(headerTmp, header0);
    }

    /** {@link #load(Block, Path, String, String)} without a kind check. */
    public static void load(Block block, Path dir, String name) throws IOException, IncompatibleCheckpointException {
        load(block, dir, name, null);
    }

    /**
     * Loads checkpoint {@code name} from {@code dir} into {@code block}, which must be initialised
     * with the architecture the checkpoint was written from.
     *
     * @param kind expected kind (null: not checked)
     * @throws NoSuchFileException if there is no such checkpoint
     * @throws IncompatibleCheckpointException if the checkpoint does not fit the block; the block is
     *     unchanged
     */
    public static void load(Block block, Path dir, String name, String kind)
            throws IOException, IncompatibleCheckpointException {
        List<Parameter> params = parameters(block);
        Path header = headerFile(dir, name);
        Path paramsPath = paramsFile(dir, name);
        Properties h = new Properties();
        try (Reader r = Files.newBufferedReader(header, StandardCharsets.UTF_8)) {
            h.load(r);
        }
        String where = "checkpoint '" + name + "' in " + dir;
        if (!FORMAT.equals(h.getProperty("format"))) {
            throw new IncompatibleCheckpointException(where + " is not a Worldgate block checkpoint (format="
                    + h.getProperty("format") + ")");
        }
        int version = intProperty(h, "formatVersion", where);
        if (version != FORMAT_VERSION) {
            throw new IncompatibleCheckpointException(where + " has format version " + version + "; this runtime reads "
                    + FORMAT_VERSION);
        }
        if (kind != null && !kind.equals(h.getProperty("kind"))) {
            throw new IncompatibleCheckpointException(where + " holds '" + h.getProperty("kind") + "', not '" + kind + "'");
        }
        List<String> problems = compare(h, params, keys(block), where);
        if (!problems.isEmpty()) {
            StringBuilder sb = new StringBuilder(where).append(" does not fit this ")
                    .append(block.getClass().getSimpleName()).append(": ");
            for (int i = 0; i < Math.min(problems.size(), MAX_LISTED); i++) {
                sb.append(i == 0 ? "" : "; ").append(problems.get(i));
            }
            if (problems.size() > MAX_LISTED) {
                sb.append("; and ").append(problems.size() - MAX_LISTED).append(" more");
            }
            throw new IncompatibleCheckpointException(sb.toString());
        }
        if (!Files.isRegularFile(paramsPath)) {
            throw new NoSuchFileException(paramsPath.toString(), null, "the header exists, the parameter file does not");
        }
        long expectedBytes = longProperty(h, "paramsBytes", where);
        long bytes = Files.size(paramsPath);
        if (bytes != expectedBytes) {
            throw new IncompatibleCheckpointException(where + ": parameter file has " + bytes + " bytes, the header says "
                    + expectedBytes + " (truncated or replaced)");
        }

        List<String> keys = keys(block);
        NDManager scratch = params.get(0).getArray().getManager().newSubManager();
        try (scratch) {
            NDList loaded;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(paramsPath), 1 << 16)) {
                loaded = NDList.decode(scratch, in);
            } catch (IllegalArgumentException e) {
                throw new IncompatibleCheckpointException(where + ": parameter file is malformed: " + e.getMessage());
            }
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : loaded) {
                byName.put(a.getName(), a);
            }
            List<NDArray> sources = new ArrayList<>(params.size());
            for (int i = 0; i < params.size(); i++) {
                NDArray target = params.get(i).getArray();
                NDArray source = byName.get(keys.get(i));
                if (source == null || !source.getShape().equals(target.getShape())
                        || source.getDataType() != target.getDataType()) {
                    throw new IncompatibleCheckpointException(where + ": parameter file does not match its header at '"
                            + keys.get(i) + "'");
                }
                sources.add(source);
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (int i = 0; i < params.size(); i++) {
                    params.get(i).getArray().set(new NDIndex("..."), sources.get(i));
                }
            }
        }
    }

    /** The parameter paths of {@code block}, as in its {@code ParameterList}. */
    private static List<String> keys(Block block) {
        return new ArrayList<>(block.getParameters().keys());
    }

    private static List<String> compare(Properties h, List<Parameter> params, List<String> keys, String where)
            throws IncompatibleCheckpointException {
        List<String> problems = new ArrayList<>();
        int count = intProperty(h, "param.count", where);
        if (count != params.size()) {
            problems.add(count + " parameters saved, the block has " + params.size());
        }
        for (int i = 0; i < Math.min(count, params.size()); i++) {
            Parameter p = params.get(i);
            NDArray a = p.getArray();
            String savedName = h.getProperty("param." + i + ".name");
            String savedShape = h.getProperty("param." + i + ".shape");
            String savedType = h.getProperty("param." + i + ".dtype");
            String shape = shapeText(a.getShape());
            String key = keys.get(i);
            if (!Objects.equals(savedName, key)) {
                problems.add("parameter " + i + " is '" + savedName + "' in the checkpoint, '" + key + "' in the block");
            } else if (!Objects.equals(savedShape, shape)) {
                problems.add("'" + key + "' has shape [" + savedShape + "] in the checkpoint, [" + shape + "] in the block");
            } else if (!Objects.equals(savedType, a.getDataType().name())) {
                problems.add("'" + key + "' is " + savedType + " in the checkpoint, " + a.getDataType().name()
                        + " in the block");
            }
        }
        return problems;
    }

    private static List<Parameter> parameters(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (!p.isInitialized()) {
                throw new IllegalStateException("parameter '" + p.getName() + "' of " + block.getClass().getSimpleName()
                        + " is not initialised; initialise the block (its shapes are checked against the checkpoint)");
            }
            out.add(p);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(block.getClass().getSimpleName() + " has no parameters");
        }
        return out;
    }

    private static String shapeText(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.dimension(); i++) {
            sb.append(i == 0 ? "" : ",").append(s.get(i));
        }
        return sb.toString();
    }

    private static int intProperty(Properties h, String key, String where) throws IncompatibleCheckpointException {
        return Math.toIntExact(longProperty(h, key, where));
    }

    private static long longProperty(Properties h, String key, String where) throws IncompatibleCheckpointException {
        String v = h.getProperty(key);
        if (v == null) {
            throw new IncompatibleCheckpointException(where + ": header lacks '" + key + "'");
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IncompatibleCheckpointException(where + ": header '" + key + "' is not a number: " + v);
        }
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("checkpoint name must be letters, digits, '.', '_' or '-', not '" + name + "'");
        }
        return name;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
