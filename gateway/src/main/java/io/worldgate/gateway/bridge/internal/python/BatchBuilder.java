package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The batch of one reset or step while the workers' results come in: newly allocated observation
 * tensors, so that a batch handed out never changes, and the per-env rewards and flags.
 */
final class BatchBuilder {
    private final ObservationLayout layout;
    final Tensor[] tensors;
    final ByteBuffer[] buffers;
    final float[] rewards;
    final boolean[] terminated;
    final boolean[] truncated;
    final boolean[] isFirst;
    /** Envs whose episode a worker failure cut ({@link io.worldgate.gateway.bridge.StepInfos#cut}). */
    final boolean[] cut;
    /** Envs that wait for their worker to start ({@link io.worldgate.gateway.bridge.StepInfos#waiting}). */
    final boolean[] waiting;
    final Map<String, float[]> infos = new LinkedHashMap<>();

    BatchBuilder(ObservationLayout layout) {
        this.layout = layout;
        ObservationLayout.Field[] fields = layout.fields();
        int n = layout.numEnvs();
        tensors = new Tensor[fields.length];
        buffers = new ByteBuffer[fields.length];
        for (int o = 0; o < fields.length; o++) {
            int[] shape = new int[fields[o].shape().length + 1];
            shape[0] = n;
            System.arraycopy(fields[o].shape(), 0, shape, 1, fields[o].shape().length);
            tensors[o] = Tensor.allocate(fields[o].dtype(), shape);
            buffers[o] = tensors[o].buffer();
        }
        rewards = new float[n];
        terminated = new boolean[n];
        truncated = new boolean[n];
        isFirst = new boolean[n];
        cut = new boolean[n];
        waiting = new boolean[n];
    }

    NamedTensors observations() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        ObservationLayout.Field[] fields = layout.fields();
        for (int o = 0; o < fields.length; o++) {
            named.put(fields[o].name(), tensors[o]);
        }
        return NamedTensors.of(named);
    }
}
