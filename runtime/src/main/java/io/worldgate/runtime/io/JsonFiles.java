package io.worldgate.runtime.io;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a JSON file into plain Java values, for plugins that load files other tools wrote (such as
 * a Hugging Face model's {@code config.json}) without a JSON library of their own: objects become
 * {@code Map<String, Object>} (in file order), arrays {@code List<Object>}, numbers {@code Double},
 * and strings, booleans and null themselves. Gson (which DJL brings) parses and binds.
 */
public final class JsonFiles {
    private static final Gson GSON = new Gson();
    private static final TypeToken<Map<String, Object>> OBJECT = new TypeToken<>() {};

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
            return GSON.fromJson(root, OBJECT);
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
