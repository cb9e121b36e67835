package io.worldgate.api.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Loads agent presets kept as data: one {@code .properties} resource per preset, such as
 * {@code presets/dmc_vision.properties} inside the plugin bundle.
 */
public final class ConfigPresets {
    private ConfigPresets() {}

    /**
     * Reads {@code <directory>/<name>.properties} for each name through {@code anchor}'s class
     * loader (the plugin's own), keeping the names' order.
     *
     * @throws IllegalStateException if a preset resource is missing
     */
    public static Map<String, Map<String, String>> load(Class<?> anchor, String directory, String... names) {
        Map<String, Map<String, String>> presets = new LinkedHashMap<>();
        for (String name : names) {
            String resource = directory + "/" + name + ".properties";
            try (InputStream in = anchor.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("preset resource " + resource + " is missing");
                }
                Properties p = new Properties();
                p.load(in);
                Map<String, String> values = new LinkedHashMap<>();
                p.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, p.getProperty(k).trim()));
                presets.put(name, values);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read preset " + resource, e);
            }
        }
        return presets;
    }
}
