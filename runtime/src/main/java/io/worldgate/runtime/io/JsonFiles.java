package io.worldgate.runtime.io;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON file into plain Java values, for plugins that load files other tools wrote (such as
 * a Hugging Face model's {@code config.json}) without a JSON library of their own: objects become
 * {@code Map<String, Object>} (in file order), arrays {@code List<Object>}, numbers {@code Double},
 * and strings, booleans and null themselves. Gson (which DJL brings) parses.
 */
public final class JsonFiles {
    private JsonFiles() {}

    /**
     * The object in {@code file}.
     *
     * @throws IOException if it cannot be read, is not JSON, or is not an object
     */
    public static Map<String, Object> readObject(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement root = JsonParser.parseReader(in);
            if (!root.isJsonObject()) {
                throw new IOException(file + " does not hold a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) plain(root);
            return out;
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Object plain(JsonElement e) {
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            e.getAsJsonObject().entrySet().forEach(en -> m.put(en.getKey(), plain(en.getValue())));
            return m;
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> l.add(plain(x)));
            return l;
        }
        if (e.isJsonNull()) {
            return null;
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        return p.isNumber() ? (Object) p.getAsDouble() : p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString();
    }
}
