package io.worldgate.gateway.bridge.internal.py4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * JSON forms of tensors, step batches and specs for Python callers of the Py4J gateway.
 *
 * <p>A tensor is {@code {"dtype": "float32", "shape": [N, 4], "data": [...]}} with the values
 * flat in row-major order, or with {@code "b64"}: the base64 of its little-endian bytes (for
 * images). A step batch is {@code {"observations": {name: tensor}, "rewards": [...],
 * "terminated": [...], "truncated": [...], "is_first": [...]}}; missing flags are false, missing
 * rewards 0.
 */
public final class JsonTensors {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonTensors() {}

    static JsonNode parse(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DType dtype(String name) {
        try {
            return DType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown dtype '" + name + "'; use uint8, int32, int64, float32, float64 or bool");
        }
    }

    /** A tensor from its JSON form. */
    static Tensor tensor(JsonNode n, String name) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("tensor '" + name + "' must be an object with dtype, shape and data (or b64)");
        }
        DType d = dtype(n.path("dtype").asText("float32"));
        JsonNode s = n.path("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = s.get(i).asInt();
        }
        Tensor t = Tensor.allocate(d, shape);
        if (n.has("b64")) {
            byte[] raw = Base64.getDecoder().decode(n.get("b64").asText());
            if (raw.length != t.byteSize()) {
                throw new IllegalArgumentException("tensor '" + name + "': " + raw.length + " bytes for " + t);
            }
            ByteBuffer src = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || d.byteSize() == 1) {
                t.buffer().put(src);
            } else {
                throw new IllegalArgumentException("b64 tensors need a little-endian host");
            }
            return t;
        }
        JsonNode data = n.path("data");
        if (data.size() != t.numElements()) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + data.size() + " values for shape "
                    + java.util.Arrays.toString(shape));
        }
        for (int i = 0; i < data.size(); i++) {
            JsonNode v = data.get(i);
            t.setDouble(i, v.isBoolean() ? (v.asBoolean() ? 1 : 0) : v.asDouble());
        }
        return t;
    }

    static ObjectNode tensorJson(Tensor t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("dtype", t.dtype().name().toLowerCase(Locale.ROOT));
        ArrayNode shape = o.putArray("shape");
        for (int d : t.shape()) {
            shape.add(d);
        }
        ArrayNode data = o.putArray("data");
        for (long i = 0; i < t.numElements(); i++) {
            double v = t.getDouble(i);
            if (t.dtype().isFloatingPoint()) {
                data.add(v);
            } else {
                data.add((long) v);
            }
        }
        return o;
    }

    private static boolean[] flags(JsonNode n, int size, boolean fallback) {
        boolean[] out = new boolean[size];
        if (n.isMissingNode() || n.isNull()) {
            java.util.Arrays.fill(out, fallback);
            return out;
        }
        if (n.size() != size) {
            throw new IllegalArgumentException("expected " + size + " flags, got " + n.size());
        }
        for (int i = 0; i < size; i++) {
            out[i] = n.get(i).asBoolean();
        }
        return out;
    }

    /** A step batch from its JSON form; {@code ids} holds and receives the episode ids (new whenever is_first). */
    static StepBatch stepBatch(JsonNode n, EnvSpec spec, long[] ids, long[] nextId, boolean firstByDefault) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        JsonNode o = n.path("observations");
        for (String name : spec.observationSpace().spaces().keySet()) {
            if (!o.has(name)) {
                throw new IllegalArgumentException("observation '" + name + "' is missing; the spec has "
                        + spec.observationSpace().spaces().keySet());
            }
            Tensor t = tensor(o.get(name), name);
            Space space = spec.observationSpace().get(name);
            space.validateBatch(t, spec.numEnvs()).filter(p -> !(space instanceof BoxSpace b && p.contains("outside")))
                    .ifPresent(p -> {
                        throw new IllegalArgumentException("observation '" + name + "': " + p);
                    });
            obs.put(name, t);
        }
        int size = spec.numEnvs();
        float[] rewards = new float[size];
        JsonNode r = n.path("rewards");
        if (!r.isMissingNode() && !r.isNull()) {
            if (r.size() != size) {
                throw new IllegalArgumentException("expected " + size + " rewards, got " + r.size());
            }
            for (int i = 0; i < size; i++) {
                rewards[i] = (float) r.get(i).asDouble();
            }
        }
        boolean[] first = flags(n.path("is_first"), size, firstByDefault);
        for (int i = 0; i < size; i++) {
            if (first[i]) {
                ids[i] = nextId[0]++;
            }
        }
        return new StepBatch(NamedTensors.of(obs), rewards, flags(n.path("terminated"), size, false),
                flags(n.path("truncated"), size, false), first, ids.clone());
    }

    /** The spec as JSON: id, observations (name, dtype, shape), action space, num_envs, max_episode_steps. */
    static ObjectNode specJson(EnvSpec spec) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", spec.id());
        o.put("num_envs", spec.numEnvs());
        o.put("max_episode_steps", spec.maxEpisodeSteps());
        ObjectNode obs = o.putObject("observations");
        spec.observationSpace().spaces().forEach((name, space) -> obs.set(name, spaceJson(space)));
        o.set("action_space", spaceJson(spec.actionSpace()));
        ObjectNode props = o.putObject("properties");
        spec.properties().forEach(props::put);
        return o;
    }

    static ObjectNode spaceJson(Space s) {
        ObjectNode o = JSON.createObjectNode();
        if (s instanceof DiscreteSpace d) {
            o.put("type", "discrete");
            o.put("n", d.n());
        } else if (s instanceof BoxSpace b) {
            o.put("type", "box");
            o.put("dtype", b.dtype().name().toLowerCase(Locale.ROOT));
            ArrayNode shape = o.putArray("shape");
            for (int d : b.shape()) {
                shape.add(d);
            }
            ArrayNode lo = o.putArray("low");
            ArrayNode hi = o.putArray("high");
            for (int i = 0; i < b.numElements(); i++) {
                lo.add(finiteOrText(b.low(i)));
                hi.add(finiteOrText(b.high(i)));
            }
        }
        return o;
    }

    private static JsonNode finiteOrText(double v) {
        if (Double.isFinite(v)) {
            return JSON.getNodeFactory().numberNode(v);
        }
        return JSON.getNodeFactory().textNode(v > 0 ? "inf" : "-inf");
    }

    /** A spec from the JSON form {@link #specJson} writes (observations as boxes). */
    static EnvSpec spec(JsonNode n) {
        Map<String, Space> obs = new LinkedHashMap<>();
        n.path("observations").fields().forEachRemaining(e -> obs.put(e.getKey(), space(e.getValue())));
        Map<String, String> props = new LinkedHashMap<>();
        n.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
        return new EnvSpec(n.path("id").asText("python"), new io.worldgate.api.space.DictSpace(obs), space(n.path("action_space")),
                n.path("num_envs").asInt(1), n.path("max_episode_steps").asInt(0), props);
    }

    private static Space space(JsonNode s) {
        if ("discrete".equals(s.path("type").asText())) {
            return new DiscreteSpace(s.path("n").asInt());
        }
        JsonNode sh = s.path("shape");
        int[] shape = new int[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = sh.get(i).asInt();
        }
        int n = Math.toIntExact(Tensor.numElements(shape));
        return new BoxSpace(dtype(s.path("dtype").asText("float32")), shape, bounds(s.path("low"), n, Double.NEGATIVE_INFINITY),
                bounds(s.path("high"), n, Double.POSITIVE_INFINITY));
    }

    private static double[] bounds(JsonNode v, int n, double missing) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode x = v.size() == 0 ? null : v.get(v.size() == 1 ? 0 : i);
            out[i] = x == null ? missing : x.isNumber() ? x.asDouble()
                    : x.asText().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return out;
    }
}
