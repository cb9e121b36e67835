package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.proto.env.v1.ActionSpace;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.ObservationSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the wire contract's spec to the plugin API's: observations to a dict of boxes, actions to discrete or box. */
final class ProtoSpecs {
    private ProtoSpecs() {}

    static DType dtype(io.worldgate.proto.env.v1.DType d) {
        return switch (d) {
            case DTYPE_UINT8 -> DType.UINT8;
            case DTYPE_INT32 -> DType.INT32;
            case DTYPE_INT64 -> DType.INT64;
            case DTYPE_FLOAT32 -> DType.FLOAT32;
            case DTYPE_FLOAT64 -> DType.FLOAT64;
            case DTYPE_BOOL -> DType.BOOL;
            default -> throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "unknown dtype " + d + " in the worker's spec");
        };
    }

    static io.worldgate.proto.env.v1.DType dtype(DType d) {
        return switch (d) {
            case UINT8 -> io.worldgate.proto.env.v1.DType.DTYPE_UINT8;
            case INT32 -> io.worldgate.proto.env.v1.DType.DTYPE_INT32;
            case INT64 -> io.worldgate.proto.env.v1.DType.DTYPE_INT64;
            case FLOAT32 -> io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32;
            case FLOAT64 -> io.worldgate.proto.env.v1.DType.DTYPE_FLOAT64;
            case BOOL -> io.worldgate.proto.env.v1.DType.DTYPE_BOOL;
        };
    }

    static int[] shape(List<Long> dims) {
        int[] s = new int[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(dims.get(i));
        }
        return s;
    }

    /** One bound per element: a single value is repeated, else there must be one per element. */
    static double[] bounds(List<Double> values, int n, double missing, String what) {
        double[] out = new double[n];
        if (values.isEmpty()) {
            java.util.Arrays.fill(out, missing);
        } else if (values.size() == 1) {
            java.util.Arrays.fill(out, values.get(0));
        } else if (values.size() == n) {
            for (int i = 0; i < n; i++) {
                out[i] = values.get(i);
            }
        } else {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, what + " has " + values.size() + " bounds for " + n + " elements");
        }
        return out;
    }

    static Space observationSpace(ObservationSpec o) {
        int[] shape = shape(o.getShapeList());
        int n = Math.toIntExact(Tensor.numElements(shape));
        return new BoxSpace(dtype(o.getDtype()), shape, bounds(o.getLowList(), n, Double.NEGATIVE_INFINITY, o.getName()),
                bounds(o.getHighList(), n, Double.POSITIVE_INFINITY, o.getName()));
    }

    static Space actionSpace(ActionSpace a) {
        return switch (a.getSpaceCase()) {
            case DISCRETE -> new DiscreteSpace(Math.toIntExact(a.getDiscrete().getN()));
            case BOX -> {
                int[] shape = shape(a.getBox().getShapeList());
                int n = Math.toIntExact(Tensor.numElements(shape));
                yield new BoxSpace(DType.FLOAT32, shape, bounds(a.getBox().getLowList(), n, Double.NEGATIVE_INFINITY, "action"),
                        bounds(a.getBox().getHighList(), n, Double.POSITIVE_INFINITY, "action"));
            }
            default -> throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the worker's spec has no action space");
        };
    }

    /** The API spec of {@code numEnvs} envs described by a worker's spec. */
    static io.worldgate.api.env.EnvSpec toApi(EnvSpec p, int numEnvs, Map<String, String> extraProperties) {
        Map<String, Space> obs = new LinkedHashMap<>();
        for (ObservationSpec o : p.getObservationsList()) {
            obs.put(o.getName(), observationSpace(o));
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("family", p.getFamily());
        p.getOptionsMap().forEach((k, v) -> props.put("option." + k, v));
        if (p.getInfoKeysCount() > 0) {
            props.put("info_keys", String.join(",", p.getInfoKeysList()));
        }
        props.putAll(extraProperties);
        return new io.worldgate.api.env.EnvSpec(p.getEnvId(), new DictSpace(obs), actionSpace(p.getActionSpace()), numEnvs,
                Math.toIntExact(Math.min(Integer.MAX_VALUE, p.getMaxEpisodeSteps())), props);
    }

    /** Why two workers' specs describe different envs, or null when they agree (batch size, seed and shm aside). */
    static String difference(EnvSpec a, EnvSpec b) {
        if (!a.getEnvId().equals(b.getEnvId())) {
            return "env " + a.getEnvId() + " vs " + b.getEnvId();
        }
        if (!a.getObservationsList().equals(b.getObservationsList())) {
            return "observations differ";
        }
        if (!a.getActionSpace().equals(b.getActionSpace())) {
            return "action spaces differ";
        }
        if (a.getMaxEpisodeSteps() != b.getMaxEpisodeSteps()) {
            return "episode lengths differ (" + a.getMaxEpisodeSteps() + " vs " + b.getMaxEpisodeSteps() + ")";
        }
        if (!a.getOptionsMap().equals(b.getOptionsMap())) {
            return "options differ (" + a.getOptionsMap() + " vs " + b.getOptionsMap() + ")";
        }
        return null;
    }
}
