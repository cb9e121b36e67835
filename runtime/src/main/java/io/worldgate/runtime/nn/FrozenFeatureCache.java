package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The features of a frozen encoder service, kept per frame: a frozen encoder is a pure function of
 * the frame, and an agent shows it the same frames again and again (each replayed sequence, and
 * every frame once more when it is first acted on), so each distinct frame is encoded once. A big
 * encoder (a ViT) costs several times the rest of a Dreamer update without it.
 *
 * <p>Frames are told apart by a 128-bit digest of their bytes (the first half of SHA-256): the
 * chance that two different frames of a run collide is far below that of a hardware error. The
 * least recently used frames go first once {@code capacity} are kept. Features computed in one
 * batch equal those of another batch to float rounding (the encoder's kernels may sum in another
 * order for another batch size).
 */
final class FrozenFeatureCache {
    private record Key(long high, long low) {}

    private final int capacity;
    private final Map<Key, float[]> features;
    private final MessageDigest digest;
    private long hits;
    private long misses;

    FrozenFeatureCache(int capacity) {
        this.capacity = capacity;
        this.features = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, float[]> eldest) {
                return size() > FrozenFeatureCache.this.capacity;
            }
        };
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Features {@code [..., F]} of uint8 images {@code [..., H, W, C]}, from the cache where it has
     * them and from {@code service} (one call, for the frames it lacks) where not.
     */
    NDArray features(ImageEncoder service, NDArray images) {
        if (images.getDataType() != DataType.UINT8) {
            return service.encode(images); // the service says what it thinks of these
        }
        Shape shape = images.getShape();
        int d = shape.dimension();
        Shape frameShape = shape.slice(d - 3);
        int frameBytes = Math.toIntExact(frameShape.size());
        int n = Math.toIntExact(shape.size() / frameBytes);
        ByteBuffer bytes = images.toByteBuffer();
        byte[] frame = new byte[frameBytes];
        Key[] keys = new Key[n];
        float[][] found = new float[n][];
        Map<Key, Integer> firstMissing = new LinkedHashMap<>(); // each frame the cache lacks, at its first row
        for (int i = 0; i < n; i++) {
            bytes.get(i * frameBytes, frame);
            keys[i] = key(frame);
            found[i] = features.get(keys[i]);
            if (found[i] == null) {
                firstMissing.putIfAbsent(keys[i], i);
            }
        }
        NDManager manager = images.getManager();
        int f = Math.toIntExact(service.featureSize());
        if (!firstMissing.isEmpty()) {
            misses += firstMissing.size();
            long[] rows = firstMissing.values().stream().mapToLong(Integer::longValue).toArray();
            try (NDArray index = manager.create(rows);
                    NDArray flat = images.reshape(new Shape(n).addAll(frameShape));
                    NDArray frames = flat.get(index);
                    NDArray encoded = service.encode(frames)) {
                float[] values = encoded.toFloatArray();
                for (int j = 0; j < rows.length; j++) {
                    float[] v = new float[f];
                    System.arraycopy(values, j * f, v, 0, f);
                    features.put(keys[(int) rows[j]], v);
                    found[(int) rows[j]] = v;
                }
            }
        }
        float[] out = new float[n * f];
        for (int i = 0; i < n; i++) {
            float[] v = found[i] != null ? found[i] : found[firstMissing.get(keys[i])];
            System.arraycopy(v, 0, out, i * f, f);
        }
        hits += n - firstMissing.size();
        return manager.create(out, shape.slice(0, d - 3).add(f));
    }

    private Key key(byte[] frame) {
        byte[] h = digest.digest(frame);
        ByteBuffer b = ByteBuffer.wrap(h);
        return new Key(b.getLong(), b.getLong());
    }

    /** Frames served from the cache so far. */
    long hits() {
        return hits;
    }

    /** Frames the service encoded so far. */
    long misses() {
        return misses;
    }

    /** Frames kept. */
    int size() {
        return features.size();
    }
}
