package io.worldgate.runtime.space;

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
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.tensor.Scalars;
import io.worldgate.runtime.tensor.Tensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an agent models of an environment's spaces, and the conversions between the host's
 * actions and the model's.
 *
 * <p><b>Observations</b>: the {@link DictSpace#IMAGE} entry (uint8 {@code [H, W, C]}) and the
 * {@link DictSpace#STATE} entry (any box, modelled as a float vector), those of them that the
 * environment has and the agent's {@code obs_keys} ask for.
 *
 * <p><b>Actions</b>: a {@link DiscreteSpace} of {@code n} is a one-hot vector {@code [.., n]} in
 * the model and an int32 index for the host; a float32 {@link BoxSpace} with finite bounds is a
 * vector {@code [.., A]} in {@code [-1, 1]} in the model, mapped linearly onto
 * {@code [low, high]} for the host: {@code a_host = low + (a + 1) / 2 (high - low)} and back
 * {@code a = 2 (a_host - low) / (high - low) - 1}, both clipped to their ranges.
 */
public final class Spaces {
    public static final String IMAGE = DictSpace.IMAGE;
    public static final String STATE = DictSpace.STATE;

    private final boolean image;
    private final boolean state;
    private final int[] imageShape;
    private final int stateSize;
    private final int stateRank;
    private final DiscreteSpace discrete;
    private final BoxSpace box;

    /**
     * @param spec the environment
     * @param obsKeys the keys to model, of {@code image} and {@code state}; empty for every one of
     *     them the environment has
     * @param agent the agent's name, for the messages
     * @throws AgentException if a key asked for is missing, the environment offers neither, or an
     *     observation or action space is one the model cannot use
     */
    public Spaces(EnvSpec spec, List<String> obsKeys, String agent) {
        DictSpace obs = spec.observationSpace();
        for (String key : obsKeys) {
            if (!obs.has(key)) {
                throw new AgentException(agent + " obs_keys asks for '" + key + "', " + spec.id() + " has "
                        + obs.spaces().keySet());
            }
        }
        this.image = (obsKeys.isEmpty() || obsKeys.contains(IMAGE)) && obs.has(IMAGE);
        this.state = (obsKeys.isEmpty() || obsKeys.contains(STATE)) && obs.has(STATE);
        if (!image && !state) {
            throw new AgentException(agent + " needs an 'image' or 'state' observation; " + spec.id() + " has "
                    + obs.spaces().keySet());
        }
        if (image) {
            if (!(obs.get(IMAGE) instanceof BoxSpace b) || b.dtype() != DType.UINT8 || b.shape().length != 3) {
                throw new AgentException(agent + " expects 'image' as uint8 [H, W, C], got " + obs.get(IMAGE));
            }
            imageShape = b.shape().clone();
        } else {
            imageShape = null;
        }
        if (state) {
            if (!(obs.get(STATE) instanceof BoxSpace b)) {
                throw new AgentException(agent + " expects 'state' as a box, got " + obs.get(STATE));
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
                    throw new AgentException(agent + " needs finite, non-empty action bounds; element " + i + " is ["
                            + b.low(i) + ", " + b.high(i) + "]");
                }
            }
        } else {
            throw new AgentException(agent + " cannot act in " + actions);
        }
    }

    public boolean hasImage() {
        return image;
    }

    public boolean hasState() {
        return state;
    }

    /** Image height {@code H}; only where {@link #hasImage()}. */
    public int imageHeight() {
        return imageShape()[0];
    }

    /** Image width {@code W}; only where {@link #hasImage()}. */
    public int imageWidth() {
        return imageShape()[1];
    }

    /** Image channels {@code C}; only where {@link #hasImage()}. */
    public int imageChannels() {
        return imageShape()[2];
    }

    private int[] imageShape() {
        if (imageShape == null) {
            throw new IllegalStateException("no image observation is modelled");
        }
        return imageShape;
    }

    /** Elements of the state observation; 0 without one. */
    public int stateSize() {
        return stateSize;
    }

    /** Whether actions are discrete (one-hot in the model). */
    public boolean discrete() {
        return discrete != null;
    }

    /** Size {@code A} of an action in the model: classes, or box elements. */
    public int actionSize() {
        return discrete != null ? discrete.n() : box.numElements();
    }

    /** The observation keys the model reads, image first. */
    public List<String> keys() {
        if (image && state) {
            return List.of(IMAGE, STATE);
        }
        return List.of(image ? IMAGE : STATE);
    }

    /** State observations {@code [.., ...]} (any leading axes) as float vectors {@code [.., stateSize]}. */
    public NDArray stateVector(NDArray x) {
        Shape s = x.getShape();
        int lead = s.dimension() - stateRank;
        NDArray v = x.reshape(s.slice(0, lead).add(stateSize));
        return v.getDataType() == DataType.FLOAT32 ? v : v.toType(DataType.FLOAT32, false);
    }

    /**
     * Host actions (int32 indices {@code [..]}, or box values {@code [.., ...]}) as model actions
     * {@code [.., A]}.
     *
     * @param leadingAxes the number of batch axes {@code [..]} in front of the box's shape
     */
    public NDArray modelActions(NDArray actions, int leadingAxes) {
        if (discrete != null) {
            return actions.toType(DataType.INT64, false).oneHot(discrete.n(), DataType.FLOAT32);
        }
        Shape s = actions.getShape();
        NDArray v = actions.reshape(s.slice(0, leadingAxes).add(box.numElements())).toType(DataType.FLOAT32, false);
        NDManager m = v.getManager();
        NDArray low = m.create(toFloats(box.low()));
        NDArray range = m.create(toFloats(box.high())).sub(low);
        return Scalars.mul(v.sub(low).div(range), 2f).sub(1f).clip(-1f, 1f);
    }

    /** Model actions {@code [N, A]} as the host's action tensor for {@code N} environments. */
    public Tensor hostActions(NDArray modelActions) {
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
        return Tensor.ofFloats(out, box.tensorSpec().batchShape(n));
    }

    /** The observations the model reads ({@link #keys()}), copied from a host batch into {@code manager}. */
    public Map<String, NDArray> observations(NDManager manager, NamedTensors named) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String key : keys()) {
            out.put(key, Tensors.toNDArray(manager, named.get(key)));
        }
        return out;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
