package io.worldgate.gateway.run.internal.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.api.tensor.Tensor;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scalars as JSON Lines in {@code metrics.jsonl} of the run directory, one object per line:
 * <pre>{"step":1000,"wall_time":1767225600.123,"tag":"episode/return","value":812.5}</pre>
 * {@code wall_time} is seconds since the Unix epoch. A value that is not finite is written as the
 * string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}, which keeps every line valid
 * JSON. A resumed run appends to the same file, after the rows past its checkpoint were dropped
 * ({@link #dropAfter}). Images and videos are noted by a row with a {@code kind} and no
 * {@code value}, so that readers of scalars pass over them; their pixels go elsewhere:
 * <pre>{"step":2000,"wall_time":1767225601.5,"tag":"dreamer/openloop","kind":"video","shape":[12,192,256,3],"fps":10.0}</pre>
 *
 * <p>Lines are buffered and flushed at least every second, so a crashed process loses at most
 * the last second. Thread-safe.
 */
public final class JsonlMetricsWriter extends FlushedFileWriter<BufferedWriter> {
    public static final String FILE_NAME = "metrics.jsonl";
    private static final JsonFactory JSON = new JsonFactory();

    private final Clock clock;

    /** Opens (appending) {@code metrics.jsonl} in {@code runDir}, created if missing. */
    public JsonlMetricsWriter(Path runDir) throws IOException {
        this(runDir, Clock.systemUTC());
    }

    public JsonlMetricsWriter(Path runDir, Clock clock) throws IOException {
        super(runDir.resolve(FILE_NAME), open(runDir));
        this.clock = clock;
    }

    private static BufferedWriter open(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        return Files.newBufferedWriter(runDir.resolve(FILE_NAME), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Where {@link #dropAfter} keeps the rows it takes out, so that no history is lost for good. */
    public static final String DROPPED_FILE_NAME = "metrics.jsonl.dropped";

    /**
     * Moves every row past {@code step} of {@code runDir}'s {@code metrics.jsonl}, and any torn
     * line, to the end of {@code metrics.jsonl.dropped}: a resumed run writes those steps again.
     * The file is rewritten beside, a line at a time, and renamed into place. Nothing to do when no
     * row is past {@code step}.
     */
    public static void dropAfter(Path runDir, long step) throws IOException {
        Path file = runDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file) || !hasRowAfter(file, step)) {
            return;
        }
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        ObjectMapper mapper = new ObjectMapper();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                BufferedWriter kept = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                BufferedWriter dropped = Files.newBufferedWriter(runDir.resolve(DROPPED_FILE_NAME), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                BufferedWriter to = isAfter(mapper, text, step) ? dropped : kept;
                to.write(text);
                to.newLine();
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean hasRowAfter(Path file, long step) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                if (isAfter(mapper, text, step)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A row past {@code step}, or a torn line. */
    private static boolean isAfter(ObjectMapper mapper, String text, long step) {
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (IOException e) {
            return true;
        }
        return node == null || !node.hasNonNull("step") || node.get("step").asLong() > step;
    }

    @Override
    public void scalar(String tag, double value, long step) {
        append(line(step, clock.millis(), tag, value));
    }

    @Override
    public void image(String tag, Tensor image, long step) {
        append(mediaLine(step, clock.millis(), tag, "image", image.shape(), Double.NaN));
    }

    @Override
    public void video(String tag, Tensor frames, double fps, long step) {
        append(mediaLine(step, clock.millis(), tag, "video", frames.shape(), fps));
    }

    private void append(String line) {
        synchronized (this) {
            ensureOpen();
            try {
                stream().write(line);
                stream().write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file(), e);
            }
        }
    }

    static String line(long step, long wallTimeMillis, String tag, double value) {
        return row(step, wallTimeMillis, tag, g -> {
            if (Double.isFinite(value)) {
                g.writeNumberField("value", value);
            } else {
                g.writeStringField("value", Double.toString(value)); // NaN, Infinity, -Infinity
            }
        });
    }

    /** The row noting an image or video: its kind, shape and, for a video, its frame rate. */
    static String mediaLine(long step, long wallTimeMillis, String tag, String kind, int[] shape, double fps) {
        return row(step, wallTimeMillis, tag, g -> {
            g.writeStringField("kind", kind);
            g.writeArrayFieldStart("shape");
            for (int d : shape) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (Double.isFinite(fps)) {
                g.writeNumberField("fps", fps);
            }
        });
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String row(long step, long wallTimeMillis, String tag, Fields fields) {
        StringWriter text = new StringWriter(96);
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeNumberField("step", step);
            g.writeFieldName("wall_time");
            g.writeNumber(BigDecimal.valueOf(wallTimeMillis, 3)); // 1767225600.123, not 1.767225600123E9
            g.writeStringField("tag", tag);
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory
        }
        return text.toString();
    }

    /** One scalar series read back: steps and values in file order. */
    public record Series(long[] steps, double[] values) {
        public int size() {
            return steps.length;
        }
    }

    /**
     * The scalars of a {@code metrics.jsonl}, by tag in order of first appearance. Lines that are
     * not complete JSON objects (a torn last line after a crash) are skipped; non-finite values
     * read back as NaN or infinities.
     */
    public static Map<String, Series> readScalars(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, SeriesBuilder> byTag = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                JsonNode node;
                try {
                    node = mapper.readTree(text);
                } catch (IOException e) {
                    continue;
                }
                if (node == null || !node.hasNonNull("tag") || !node.hasNonNull("step") || !node.has("value")) {
                    continue;
                }
                JsonNode v = node.get("value");
                double value = v.isNumber() ? v.asDouble() : parseNonFinite(v.asText());
                byTag.computeIfAbsent(node.get("tag").asText(), t -> new SeriesBuilder())
                        .add(node.get("step").asLong(), value);
            }
        }
        Map<String, Series> series = new LinkedHashMap<>();
        byTag.forEach((tag, b) -> series.put(tag, b.build()));
        return series;
    }

    private static final class SeriesBuilder {
        private final List<Long> steps = new ArrayList<>();
        private final List<Double> values = new ArrayList<>();

        void add(long step, double value) {
            steps.add(step);
            values.add(value);
        }

        Series build() {
            return new Series(steps.stream().mapToLong(Long::longValue).toArray(),
                    values.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private static double parseNonFinite(String text) {
        return switch (text) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }
}
