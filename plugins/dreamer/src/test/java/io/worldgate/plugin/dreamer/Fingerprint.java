package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/** Test helper: a fingerprint of an agent's world-model parameters (their sums), to see that nothing changed. */
final class Fingerprint {
    private Fingerprint() {}

    static List<Float> of(DreamerAgent agent) {
        List<Float> sums = new ArrayList<>();
        for (Parameter p : agent.worldModel().getParameters().values()) {
            try (NDArray s = p.getArray().sum()) {
                sums.add(s.getFloat());
            }
        }
        return sums;
    }
}
