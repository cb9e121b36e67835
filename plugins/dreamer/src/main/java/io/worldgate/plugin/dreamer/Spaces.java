package io.worldgate.plugin.dreamer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.tensor.Scalars;
import io.worldgate.runtime.tensor.Tensors;
import java.util.List;

/**
 * What the agent models of an environment's spaces, and the conversions between the host's
 * actions and the model's: discrete actions are one-hot vectors in the model and int32 indices for
 * the host; box actions are in [-1, 1] in the model and scaled to the box's bounds for the host.
 */
final class Spaces {
    static final String IMAGE = DictSpace.IMAGE;
    static final String STATE = DictSpace.STATE;

    private final boolean image;
    private final boolean state;
    private final int[] imageShape;
    private final int stateSize;
    private final int stateRank;
    private final DiscreteSpace discrete;
    private final BoxSpace box;

    /**
     * @param obsKeys the keys to model; empty for every one of image and state the environment has
     * @throws AgentException if the environment offers none of them, or an unusable space
     */
    Spaces(EnvSpec spec, List<String> obsKeys) {
        DictSpace obs = spec.observationSpace();
        boolean wantImage = obsKeys.isEmpty() || obsKeys.contains(IMAGE);
        boolean wantState = obsKeys.isEmpty() || obsKeys.contains(STATE);
        for (String key : obsKeys) {
            if (!obs.has(key)) {
                throw new AgentException("dreamer obs_keys asks for '" + key + "', " + spec.id() + " has "
                        + obs.spaces().keySet());
            }
        }
        this.image = wantImage && obs.has(IMAGE);
        this.state = wantState && obs.has(STATE);
        if (!image && !state) {
            throw new AgentException("dreamer needs an 'image' or 'state' observation; " + spec.id() + " has "
                    + obs.spaces().keySet());
        }
        if (image) {
            if (!(obs.get(IMAGE) instanceof BoxSpace b) || b.dtype() != DType.UINT8 || b.shape().length != 3) {
                throw new AgentException("dreamer expects 'image' as uint8 [H, W, C], got " + obs.get(IMAGE));
            }
            imageShape = b.shape();
            if (imageShape[0] % 16 != 0 || imageShape[1] % 16 != 0) {
                throw new AgentException("dreamer's CNN needs image sides divisible by 16, got "
                        + imageShape[0] + "x" + imageShape[1]);
            }
        } else {
            imageShape = null;
        }
        if (state) {
            if (!(obs.get(STATE) instanceof BoxSpace b)) {
                throw new AgentException("dreamer expects 'state' as a box, got " + obs.get(STATE));
            }
            stateSize = b.numElements();
            stateRank = b.shape().length;
        } else {
            stateSize = 0;
            stateRank = 0;
        }
        Space actions = spec.actionSpace();
        if (actions instanceof DiscreteSpace d) {
            discrete = d;
            box = null;
        } else if (actions instanceof BoxSpace b && b.dtype() == DType.FLOAT32) {
            discrete = null;
            box = b;
            for (int i = 0; i < b.numElements(); i++) {
                if (!Double.isFinite(b.low(i)) || !Double.isFinite(b.high(i)) || b.high(i) <= b.low(i)) {
                    throw new AgentException("dreamer needs finite, non-empty action bounds; element " + i + " is ["
                            + b.low(i) + ", " + b.high(i) + "]");
                }
            }
        } else {
            throw new AgentException("dreamer cannot act in " + actions);
        }
    }

    boolean hasImage() {
        return image;
    }

    boolean hasState() {
        return state;
    }

    int imageHeight() {
        return imageShape[0];
    }

    int imageWidth() {
        return imageShape[1];
    }

    int imageChannels() {
        return imageShape[2];
    }

    int stateSize() {
        return stateSize;
    }

    boolean discrete() {
        return discrete != null;
    }

    /** Size {@code A} of an action in the model: classes, or box elements. */
    int actionSize() {
        return discrete != null ? discrete.n() : box.numElements();
    }

    /** The observation keys the model reads. */
    List<String> keys() {
        if (image && state) {
            return List.of(IMAGE, STATE);
        }
        return List.of(image ? IMAGE : STATE);
    }

    /** State observations {@code [.., ...]} (any leading axes) as float vectors {@code [.., stateSize]}. */
    NDArray stateVector(NDArray x) {
        Shape s = x.getShape();
        int lead = s.dimension() - stateRank;
        NDArray v = x.reshape(s.slice(0, lead).add(stateSize));
        return v.getDataType() == DataType.FLOAT32 ? v : v.toType(DataType.FLOAT32, false);
    }

    /** Host actions {@code [.., ...]} (int32 indices or box values) as model actions {@code [.., A]}. */
    NDArray modelActions(NDArray actions, int leadingAxes) {
        if (discrete != null) {
            return actions.toType(DataType.INT64, false).oneHot(discrete.n(), DataType.FLOAT32);
        }
        Shape s = actions.getShape();
        NDArray v = actions.reshape(s.slice(0, leadingAxes).add(box.numElements())).toType(DataType.FLOAT32, false);
        NDManager m = v.getManager();
        NDArray low = m.create(toFloats(box.low()));
        NDArray range = m.create(toFloats(box.high())).sub(low);
        // a' = 2 (a - low) / (high - low) - 1
        return Scalars.mul(v.sub(low).div(range), 2f).sub(1f).clip(-1f, 1f);
    }

    /** Model actions {@code [N, A]} as a host action tensor for N environments. */
    Tensor hostActions(NDArray modelActions) {
        int n = Math.toIntExact(modelActions.getShape().get(0));
        if (discrete != null) {
            try (NDArray idx = modelActions.argMax(-1).toType(DataType.INT32, false)) {
                return Tensor.ofInts(idx.toIntArray(), n);
            }
        }
        float[] a = modelActions.toType(DataType.FLOAT32, false).toFloatArray();
        int per = box.numElements();
        float[] out = new float[a.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                double u = Math.max(-1, Math.min(1, a[i * per + j]));
                double v = box.low(j) + (u + 1) / 2 * (box.high(j) - box.low(j));
                out[i * per + j] = (float) Math.max(box.low(j), Math.min(box.high(j), v));
            }
        }
        int[] shape = box.tensorSpec().batchShape(n);
        return Tensor.ofFloats(out, shape);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** The observations the model reads, copied from a host batch into {@code manager}. */
    java.util.Map<String, NDArray> observations(NDManager manager, io.worldgate.api.tensor.NamedTensors named) {
        java.util.Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (String key : keys()) {
            out.put(key, Tensors.toNDArray(manager, named.get(key)));
        }
        return out;
    }
}
