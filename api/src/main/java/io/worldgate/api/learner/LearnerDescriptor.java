package io.worldgate.api.learner;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.space.DictSpace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a learner plugin tells the host and its users about itself. The plugin's version is its
 * bundle version. Config keys and presets work as an agent's do ({@code --set}, {@code --preset}).
 *
 * @param name learner name used on the command line ({@code learn mae})
 * @param description one line for listings
 * @param observationKeys observation names the learner can use; the experience must hold at least
 *     one of them (empty: any observations)
 * @param configKeys every key the learner understands; no other key is accepted
 * @param presets named sets of values for some keys
 * @param defaultPreset the preset used when the user names none, or null for the keys' defaults
 */
public record LearnerDescriptor(String name, String description, Set<String> observationKeys, List<ConfigKey> configKeys,
        Map<String, Map<String, String>> presets, String defaultPreset) {

    public LearnerDescriptor {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("learner names are lower case letters, digits, '-' and '_': " + name);
        }
        description = description == null ? "" : description;
        observationKeys = Set.copyOf(observationKeys);
        configKeys = List.copyOf(configKeys);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        presets.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        presets = Collections.unmodifiableMap(copy);
        if (defaultPreset != null && !presets.containsKey(defaultPreset)) {
            throw new IllegalArgumentException("default preset '" + defaultPreset + "' is not among " + presets.keySet());
        }
    }

    /** A descriptor with no presets. */
    public LearnerDescriptor(String name, String description, Set<String> observationKeys, List<ConfigKey> configKeys) {
        this(name, description, observationKeys, configKeys, Map.of(), null);
    }

    /**
     * The configuration for {@code preset} (null for the default preset) with {@code overrides},
     * resolved as an agent's is.
     *
     * @throws io.worldgate.api.agent.ConfigException for an unknown preset or key, or a bad value
     */
    public AgentConfig resolve(String preset, Map<String, String> overrides) {
        return AgentConfig.resolve("learner", name, configKeys, presets, defaultPreset, preset, overrides);
    }

    /** Why the learner cannot train on experience with {@code observations}, judged by its observation keys. */
    public Optional<String> incompatibility(DictSpace observations) {
        if (!observationKeys.isEmpty() && observationKeys.stream().noneMatch(observations::has)) {
            return Optional.of(name + " needs one of the observations " + observationKeys + ", the experience has "
                    + observations.spaces().keySet());
        }
        return Optional.empty();
    }
}
