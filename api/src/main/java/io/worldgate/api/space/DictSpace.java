package io.worldgate.api.space;

import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Named sub-spaces in a fixed order. Observations are always a dict space; the usual keys are
 * {@code image} (uint8 {@code [H, W, C]}) and {@code state} (float32 vector).
 *
 * @param spaces the named sub-spaces, iterated in insertion order
 */
public record DictSpace(Map<String, Space> spaces) implements Space {
    /** The conventional key of pixel observations. */
    public static final String IMAGE = "image";
    /** The conventional key of proprioceptive or low-dimensional state. */
    public static final String STATE = "state";

    public DictSpace {
        if (spaces.isEmpty()) {
            throw new IllegalArgumentException("a dict space needs at least one entry");
        }
        for (Map.Entry<String, Space> e : spaces.entrySet()) {
            if (e.getValue() instanceof DictSpace) {
                throw new IllegalArgumentException("nested dict spaces are not supported ('" + e.getKey() + "')");
            }
        }
        spaces = Collections.unmodifiableMap(new LinkedHashMap<>(spaces));
    }

    public Space get(String name) {
        return spaces.get(name);
    }

    public boolean has(String name) {
        return spaces.containsKey(name);
    }

    /** Dict spaces are not a single tensor: always throws. */
    @Override
    public TensorSpec tensorSpec() {
        throw new UnsupportedOperationException("a dict space has one tensor spec per entry");
    }

    /** Dict spaces are validated entry by entry: always reports an error. */
    @Override
    public Optional<String> validateBatch(Tensor batch, int batchSize) {
        return Optional.of("a dict space is validated per named entry, not as one tensor");
    }
}
