package io.worldgate.api.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An ordered, immutable set of named tensors sharing a leading batch dimension, such as the
 * observations {@code image} ({@code [N,64,64,3]} uint8) and {@code state} ({@code [N,24]} float32)
 * of N environments.
 */
public final class NamedTensors {
    private final Map<String, Tensor> tensors;

    private NamedTensors(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        int batch = -1;
        for (Map.Entry<String, Tensor> e : this.tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.rank() == 0) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has no batch dimension");
            }
            if (batch >= 0 && t.dim(0) != batch) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has batch size " + t.dim(0) + ", others " + batch);
            }
            batch = t.dim(0);
        }
    }

    /** Named tensors in the iteration order of {@code tensors}. */
    public static NamedTensors of(Map<String, Tensor> tensors) {
        return new NamedTensors(tensors);
    }

    /** A single named tensor. */
    public static NamedTensors of(String name, Tensor tensor) {
        return new NamedTensors(Map.of(name, tensor));
    }

    /** The tensor called {@code name}. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException("no tensor '" + name + "'; there are " + tensors.keySet());
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, Tensor> asMap() {
        return tensors;
    }

    /** The shared leading dimension (0 when empty). */
    public int batchSize() {
        return tensors.isEmpty() ? 0 : tensors.values().iterator().next().dim(0);
    }

    @Override
    public String toString() {
        return tensors.toString();
    }
}
