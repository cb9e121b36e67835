package io.worldgate.api.agent;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an agent plugin tells the host and its users about itself. The plugin's version is its
 * bundle version, which the host reads from the bundle.
 *
 * @param name agent name used on the command line ({@code --agent dreamer})
 * @param description one line for listings
 * @param actionKinds the action spaces the agent can act in
 * @param observationKeys observation names the agent can use; an environment must offer at
 *     least one of them (empty: any observations)
 * @param configKeys every key the agent understands; no other key is accepted
 * @param presets named sets of values for some keys, such as {@code dmc_vision}
 * @param defaultPreset the preset used when the user names none, or null for the keys' defaults
 * @param defaultTrainRatio the updates per env step the host asks of {@code train} when the user
 *     gives no {@code --train-ratio}; 0 (an agent that declares none) means {@code train} is
 *     called only when the user asks for a ratio
 * @param cadence who drives training: the host's replay ratio (the default) or the agent's own
 *     generations; see {@link TrainingCadence}
 */
public record AgentDescriptor(String name, String description, Set<ActionKind> actionKinds,
        Set<String> observationKeys, List<ConfigKey> configKeys, Map<String, Map<String, String>> presets,
        String defaultPreset, double defaultTrainRatio, TrainingCadence cadence) {

    /** A descriptor of an agent trained at the host's replay ratio, as in API 1.2. */
    public AgentDescriptor(String name, String description, Set<ActionKind> actionKinds, Set<String> observationKeys,
            List<ConfigKey> configKeys, Map<String, Map<String, String>> presets, String defaultPreset,
            double defaultTrainRatio) {
        this(name, description, actionKinds, observationKeys, configKeys, presets, defaultPreset, defaultTrainRatio,
                TrainingCadence.REPLAY_RATIO);
    }

    /** A descriptor that declares no default train ratio (0), as in API 1.1 and before. */
    public AgentDescriptor(String name, String description, Set<ActionKind> actionKinds, Set<String> observationKeys,
            List<ConfigKey> configKeys, Map<String, Map<String, String>> presets, String defaultPreset) {
        this(name, description, actionKinds, observationKeys, configKeys, presets, defaultPreset, 0);
    }

    /** This descriptor with {@code cadence} instead of its own. */
    public AgentDescriptor withCadence(TrainingCadence cadence) {
        return new AgentDescriptor(name, description, actionKinds, observationKeys, configKeys, presets, defaultPreset,
                defaultTrainRatio, cadence);
    }

    public AgentDescriptor {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("agent names are lower case letters, digits, '-' and '_': " + name);
        }
        description = description == null ? "" : description;
        cadence = cadence == null ? TrainingCadence.REPLAY_RATIO : cadence;
        actionKinds = Set.copyOf(actionKinds);
        observationKeys = Set.copyOf(observationKeys);
        configKeys = List.copyOf(configKeys);
        checkImplied(configKeys);
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        presets.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
        presets = java.util.Collections.unmodifiableMap(copy);
        if (defaultPreset != null && !presets.containsKey(defaultPreset)) {
            throw new IllegalArgumentException("default preset '" + defaultPreset + "' is not among " + presets.keySet());
        }
        if (!Double.isFinite(defaultTrainRatio) || defaultTrainRatio < 0) {
            throw new IllegalArgumentException("the default train ratio must be a finite number >= 0, got " + defaultTrainRatio);
        }
    }

    /** Every value a key implies names another key of the agent and fits it. */
    private static void checkImplied(List<ConfigKey> keys) {
        for (ConfigKey key : keys) {
            key.implied().forEach((choice, values) -> values.forEach((target, value) -> {
                ConfigKey other = keys.stream().filter(k -> k.name().equals(target)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(
                                "'" + key.name() + "=" + choice + "' implies unknown key '" + target + "'"));
                other.validate(value).ifPresent(problem -> {
                    throw new IllegalArgumentException("'" + key.name() + "=" + choice + "' implies " + target + ": " + problem);
                });
            }));
        }
    }

    /** The key called {@code key}, if the agent has one. */
    public Optional<ConfigKey> configKey(String key) {
        return configKeys.stream().filter(k -> k.name().equals(key)).findFirst();
    }

    /** Why the agent cannot act in {@code spec}, judged by action kinds and observation keys. */
    public Optional<String> incompatibility(EnvSpec spec) {
        ActionKind kind;
        if (spec.actionSpace() instanceof DiscreteSpace) {
            kind = ActionKind.DISCRETE;
        } else if (spec.actionSpace() instanceof BoxSpace box && box.dtype() == DType.FLOAT32) {
            kind = ActionKind.CONTINUOUS;
        } else {
            return Optional.of("unsupported action space " + spec.actionSpace());
        }
        if (!actionKinds.contains(kind)) {
            return Optional.of(name + " does not support " + kind.name().toLowerCase() + " actions (" + spec.id() + ")");
        }
        if (!observationKeys.isEmpty()
                && observationKeys.stream().noneMatch(spec.observationSpace()::has)) {
            return Optional.of(name + " needs one of the observations " + observationKeys + ", "
                    + spec.id() + " has " + spec.observationSpace().spaces().keySet());
        }
        return Optional.empty();
    }
}
