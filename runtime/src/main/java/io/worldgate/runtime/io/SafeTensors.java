package io.worldgate.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a safetensors file (the format of Hugging Face's {@code save_pretrained}): an 8-byte
 * little-endian header length, a JSON header naming each tensor's {@code dtype}, {@code shape} and
 * {@code data_offsets} (relative to the end of the header), then the raw little-endian data. No
 * torch is needed. Float32 ({@code F32}) and float64 ({@code F64}, converted) tensors are read;
 * others are refused by name, as is a header whose offsets leave the file.
 */
public final class SafeTensors {
    /** Headers larger than this are refused (the format's own limit is 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /**
     * Every tensor of {@code file}, by name in the header's order, as float32 NDArrays of
     * {@code manager}.
     *
     * @throws IOException if the file cannot be read or is not a valid safetensors file
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLength = len.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(file + " is not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(ch, header, 8);
            JsonObject entries;
            try {
                JsonElement root = JsonParser.parseString(new String(header.array(), StandardCharsets.UTF_8));
                entries = root.getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new IOException(file + " has no valid safetensors header: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLength;
            Map<String, NDArray> out = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, JsonElement> e : entries.entrySet()) {
                    if (e.getKey().equals("__metadata__")) {
                        continue;
                    }
                    out.put(e.getKey(), tensor(file, ch, dataStart, size, e.getKey(), e.getValue().getAsJsonObject(), manager));
                }
            } catch (IOException | RuntimeException ex) {
                out.values().forEach(NDArray::close);
                throw ex instanceof IOException io ? io : new IOException(file + ": " + ex.getMessage(), ex);
            }
            return out;
        }
    }

    private static NDArray tensor(Path file, FileChannel ch, long dataStart, long size, String name, JsonObject spec,
            NDManager manager) throws IOException {
        String dtype = spec.get("dtype").getAsString();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            default -> throw new IOException(file + ": tensor '" + name + "' is " + dtype + "; only F32 and F64 are read");
        };
        long[] shape = new long[spec.getAsJsonArray("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = spec.getAsJsonArray("shape").get(i).getAsLong();
            count *= shape[i];
        }
        long begin = spec.getAsJsonArray("data_offsets").get(0).getAsLong();
        long end = spec.getAsJsonArray("data_offsets").get(1).getAsLong();
        if (begin < 0 || end - begin != count * width || dataStart + end > size || count > Integer.MAX_VALUE / 8) {
            throw new IOException(file + ": tensor '" + name + "' has offsets [" + begin + ", " + end + ") that do not hold "
                    + count + " values of " + dtype + " inside the file");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, bytes, dataStart + begin);
        bytes.flip();
        float[] values = new float[(int) count];
        if (width == 4) {
            bytes.asFloatBuffer().get(values);
        } else {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) bytes.getDouble();
            }
        }
        NDArray a = manager.create(FloatBuffer.wrap(values), new Shape(shape));
        a.setName(name);
        return a;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + at);
            }
            at += n;
        }
    }
}
