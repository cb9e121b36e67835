package io.worldgate.api.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * An agent's resolved configuration: every key of its descriptor with a validated value.
 * Resolution order: the key's default, then the values {@linkplain ConfigKey#implied implied} by
 * the value another key resolves to (a recipe), then the preset's value, then the user's override
 * ({@code --set key=value}).
 */
public final class AgentConfig {
    private final String preset;
    private final Map<String, String> values;

    private AgentConfig(String preset, Map<String, String> values) {
        this.preset = preset;
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Resolves the configuration of {@code descriptor} for {@code preset} (null for the
     * descriptor's default preset) with {@code overrides}.
     *
     * @throws ConfigException for an unknown preset or key (listing the known ones), or a value
     *     of the wrong type or out of range
     */
    public static AgentConfig resolve(AgentDescriptor descriptor, String preset, Map<String, String> overrides) {
        return resolve("agent", descriptor.name(), descriptor.configKeys(), descriptor.presets(), descriptor.defaultPreset(),
                preset, overrides);
    }

    /**
     * Resolves a configuration of any plugin kind with config keys and presets, as
     * {@link #resolve(AgentDescriptor, String, Map)} does for agents (a learner's descriptor uses it).
     *
     * @param kind what the plugin is, for messages ({@code agent}, {@code learner})
     * @param name the plugin's name
     * @param preset the preset asked for, or null for {@code defaultPreset}
     * @throws ConfigException for an unknown preset or key (listing the known ones), or a value
     *     of the wrong type or out of range
     * @since 1.4
     */
    public static AgentConfig resolve(String kind, String name, List<ConfigKey> keys, Map<String, Map<String, String>> presets,
            String defaultPreset, String preset, Map<String, String> overrides) {
        String chosen = preset != null ? preset : defaultPreset;
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigKey key : keys) {
            values.put(key.name(), key.defaultValue());
        }
        Map<String, String> presetValues = Map.of();
        if (chosen != null) {
            presetValues = presets.get(chosen);
            if (presetValues == null) {
                throw new ConfigException(kind + " " + name + " has no preset '" + chosen
                        + "'; presets: " + new TreeSet<>(presets.keySet()));
            }
        }
        for (ConfigKey key : keys) {
            // an invalid value implies nothing here; it is refused below with the reason
            String value = overrides.containsKey(key.name()) ? overrides.get(key.name())
                    : presetValues.getOrDefault(key.name(), key.defaultValue());
            Map<String, String> implied = key.implied().get(value == null ? "" : value.trim());
            if (implied != null) {
                apply(kind, name, keys, key.name() + "=" + value.trim(), implied, values);
            }
        }
        apply(kind, name, keys, "preset " + chosen, presetValues, values);
        apply(kind, name, keys, "override", overrides, values);
        return new AgentConfig(chosen, values);
    }

    private static void apply(String kind, String name, List<ConfigKey> keys, String source, Map<String, String> in,
            Map<String, String> out) {
        for (Map.Entry<String, String> e : in.entrySet()) {
            ConfigKey key = keys.stream().filter(k -> k.name().equals(e.getKey())).findFirst().orElseThrow(() -> new ConfigException(
                    kind + " " + name + " has no config key '" + e.getKey() + "' (" + source + "); keys: "
                            + String.join(", ", new TreeSet<>(out.keySet()))));
            String value = e.getValue() == null ? "" : e.getValue().trim();
            key.validate(value).ifPresent(problem -> {
                throw new ConfigException(name + " " + key.name() + " (" + source + "): " + problem);
            });
            out.put(key.name(), value);
        }
    }

    /** The preset that was applied, or null. */
    public String preset() {
        return preset;
    }

    /** All values by key, in the descriptor's order. */
    public Map<String, String> asMap() {
        return values;
    }

    public String getString(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new NoSuchElementException("no config key '" + key + "'; keys: " + values.keySet());
        }
        return v;
    }

    public int getInt(String key) {
        return Integer.parseInt(getString(key));
    }

    public long getLong(String key) {
        return Long.parseLong(getString(key));
    }

    public double getDouble(String key) {
        return Double.parseDouble(getString(key));
    }

    public boolean getBoolean(String key) {
        return Boolean.parseBoolean(getString(key));
    }

    @Override
    public String toString() {
        return (preset == null ? "" : preset + " ") + values;
    }
}
