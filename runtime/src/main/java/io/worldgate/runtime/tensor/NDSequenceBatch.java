package io.worldgate.runtime.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A {@link SequenceBatch} copied into NDArrays, all {@code [B, T, ...]}.
 *
 * @param observations by name, in the batch's order
 * @param actions {@code [B, T, ...]}
 * @param rewards float32 {@code [B, T]}
 * @param isFirst float32 {@code [B, T]}
 * @param isTerminal float32 {@code [B, T]}
 * @param mask float32 {@code [B, T]}
 */
public record NDSequenceBatch(Map<String, NDArray> observations, NDArray actions, NDArray rewards, NDArray isFirst,
        NDArray isTerminal, NDArray mask) {

    public NDSequenceBatch {
        observations = Collections.unmodifiableMap(new LinkedHashMap<>(observations));
    }

    /** Copies every tensor of {@code batch} into {@code manager} (typically the update scope's). */
    public static NDSequenceBatch of(NDManager manager, SequenceBatch batch) {
        Map<String, NDArray> obs = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : batch.observations().asMap().entrySet()) {
            NDArray a = Tensors.toNDArray(manager, e.getValue());
            a.setName(e.getKey());
            obs.put(e.getKey(), a);
        }
        return new NDSequenceBatch(obs,
                Tensors.toNDArray(manager, batch.actions()),
                Tensors.toNDArray(manager, batch.rewards()),
                Tensors.toNDArray(manager, batch.isFirst()),
                Tensors.toNDArray(manager, batch.isTerminal()),
                Tensors.toNDArray(manager, batch.mask()));
    }

    /** The observation called {@code name}. */
    public NDArray observation(String name) {
        NDArray a = observations.get(name);
        if (a == null) {
            throw new NoSuchElementException("no observation '" + name + "'; there are " + observations.keySet());
        }
        return a;
    }

    public int batchSize() {
        return Math.toIntExact(rewards.getShape().get(0));
    }

    public int length() {
        return Math.toIntExact(rewards.getShape().get(1));
    }

    /** All arrays, for attaching or closing together. */
    public NDList all() {
        NDList list = new NDList();
        list.addAll(observations.values());
        list.add(actions);
        list.add(rewards);
        list.add(isFirst);
        list.add(isTerminal);
        list.add(mask);
        return list;
    }
}
