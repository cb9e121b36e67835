package io.worldgate.api.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One configuration key an agent understands, with its type, default and allowed values.
 *
 * @param name key as written on the command line, for example {@code batch_size}
 * @param type how the value is parsed
 * @param defaultValue the value when neither a preset nor the user sets it
 * @param description one line for {@code plugins list} and error messages
 * @param min smallest allowed number (INT, DOUBLE), or null
 * @param max largest allowed number (INT, DOUBLE), or null
 * @param choices allowed values (STRING), or empty for any
 * @param implied per value of this key, values of other keys that this value brings with it (a
 *     recipe): they replace those keys' defaults, and a preset or the user's overrides still win;
 *     empty for none (since 1.5)
 */
public record ConfigKey(String name, Type type, String defaultValue, String description, Double min, Double max,
        List<String> choices, Map<String, Map<String, String>> implied) {

    /** Value types. */
    public enum Type { INT, DOUBLE, BOOLEAN, STRING }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        description = description == null ? "" : description;
        choices = List.copyOf(choices);
        Optional<String> problem = check(defaultValue, type, min, max, choices);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("default of '" + name + "': " + problem.get());
        }
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : (implied == null ? Map.<String, Map<String, String>>of() : implied)
                .entrySet()) {
            Optional<String> bad = check(e.getKey(), type, min, max, choices);
            if (bad.isPresent()) {
                throw new IllegalArgumentException("implied values of '" + name + "': " + bad.get());
            }
            if (e.getValue().containsKey(name)) {
                throw new IllegalArgumentException("'" + name + "=" + e.getKey() + "' cannot imply a value of itself");
            }
            copy.put(e.getKey().trim(), Map.copyOf(e.getValue()));
        }
        implied = Collections.unmodifiableMap(copy);
    }

    /** A key that implies no other values, as in API 1.4 and before. */
    public ConfigKey(String name, Type type, String defaultValue, String description, Double min, Double max,
            List<String> choices) {
        this(name, type, defaultValue, description, min, max, choices, Map.of());
    }

    /**
     * This key, where each value in {@code valuesByChoice} brings the given values of other keys
     * (see {@link #implied}); the agent's descriptor checks that those keys exist and the values fit.
     *
     * @since 1.5
     */
    public ConfigKey implying(Map<String, Map<String, String>> valuesByChoice) {
        return new ConfigKey(name, type, defaultValue, description, min, max, choices, valuesByChoice);
    }

    public static ConfigKey integer(String name, int defaultValue, int min, int max, String description) {
        return new ConfigKey(name, Type.INT, Integer.toString(defaultValue), description, (double) min, (double) max, List.of());
    }

    public static ConfigKey decimal(String name, double defaultValue, double min, double max, String description) {
        return new ConfigKey(name, Type.DOUBLE, Double.toString(defaultValue), description, min, max, List.of());
    }

    public static ConfigKey bool(String name, boolean defaultValue, String description) {
        return new ConfigKey(name, Type.BOOLEAN, Boolean.toString(defaultValue), description, null, null, List.of());
    }

    public static ConfigKey string(String name, String defaultValue, String description) {
        return new ConfigKey(name, Type.STRING, defaultValue, description, null, null, List.of());
    }

    public static ConfigKey choice(String name, String defaultValue, List<String> choices, String description) {
        return new ConfigKey(name, Type.STRING, defaultValue, description, null, null, choices);
    }

    /** Why {@code value} is not valid for this key, or empty if it is. */
    public Optional<String> validate(String value) {
        return check(value, type, min, max, choices);
    }

    private static Optional<String> check(String value, Type type, Double min, Double max, List<String> choices) {
        String v = value.trim();
        switch (type) {
            case INT -> {
                long parsed;
                try {
                    parsed = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    return Optional.of("'" + value + "' is not a whole number");
                }
                return range(parsed, min, max);
            }
            case DOUBLE -> {
                double parsed;
                try {
                    parsed = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    return Optional.of("'" + value + "' is not a number");
                }
                if (!Double.isFinite(parsed)) {
                    return Optional.of("'" + value + "' is not a finite number");
                }
                return range(parsed, min, max);
            }
            case BOOLEAN -> {
                String lower = v.toLowerCase(Locale.ROOT);
                return lower.equals("true") || lower.equals("false")
                        ? Optional.empty()
                        : Optional.of("'" + value + "' is not true or false");
            }
            case STRING -> {
                return choices.isEmpty() || choices.contains(v)
                        ? Optional.empty()
                        : Optional.of("'" + value + "' is not one of " + choices);
            }
            default -> throw new AssertionError(type);
        }
    }

    private static Optional<String> range(double value, Double min, Double max) {
        if ((min != null && value < min) || (max != null && value > max)) {
            return Optional.of(format(value) + " is outside [" + format(min) + ", " + format(max) + "]");
        }
        return Optional.empty();
    }

    private static String format(Double d) {
        if (d == null) {
            return "-inf";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString();
    }
}
