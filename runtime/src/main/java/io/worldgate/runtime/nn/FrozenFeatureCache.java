package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The features of a frozen encoder service, kept per frame: a frozen encoder is a pure function of
 * the frame, and an agent shows it the same frames again and again (each replayed sequence, and
 * every frame once more when it is first acted on), so each distinct frame is encoded once. A big
 * encoder (a ViT) costs several times the rest of a Dreamer update without it.
 *
 * <p>Frames are told apart by the kind of features asked for ({@link EncoderFeatures}) and a 128-bit
 * digest of their bytes (the first half of SHA-256): the chance that two different frames of a run
 * collide is far below that of a hardware error. The least recently used frames go first once
 * {@code capacity} are kept, or once their features take more than {@link #MAX_BYTES} (every patch
 * token of a small ViT is 48 KiB a frame: 200,000 frames would not fit a heap). Features computed
 * in one batch equal those of another batch to float rounding (the encoder's kernels may sum in
 * another order for another batch size).
 */
final class FrozenFeatureCache {
    /** The most bytes of features kept, whatever {@code capacity} says. */
    static final long MAX_BYTES = 1L << 30;

    private record Key(EncoderFeatures kind, long high, long low) {}

    private final int capacity;
    private final long maxFloats;
    private final LinkedHashMap<Key, float[]> features = new LinkedHashMap<>(16, 0.75f, true);
    private final MessageDigest digest;
    private long floats;
    private long hits;
    private long misses;

    FrozenFeatureCache(int capacity) {
        this(capacity, MAX_BYTES);
    }

    /** A cache of at most {@code capacity} frames and {@code maxBytes} bytes of features. */
    FrozenFeatureCache(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxFloats = maxBytes / Float.BYTES;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The service's default features, {@link EncoderFeatures#MEAN} ({@link #features(ImageEncoder, EncoderFeatures, NDArray)}). */
    NDArray features(ImageEncoder service, NDArray images) {
        return features(service, EncoderFeatures.MEAN, images);
    }

    /**
     * Features {@code [..., F]} of the kind {@code kind} of uint8 images {@code [..., H, W, C]},
     * from the cache where it has them and from {@code service} (one call, for the frames it lacks)
     * where not.
     */
    NDArray features(ImageEncoder service, EncoderFeatures kind, NDArray images) {
        if (images.getDataType() != DataType.UINT8) {
            return service.encode(images, kind); // the service says what it thinks of these
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
            keys[i] = key(kind, frame);
            found[i] = features.get(keys[i]);
            if (found[i] == null) {
                firstMissing.putIfAbsent(keys[i], i);
            }
        }
        NDManager manager = images.getManager();
        int f = Math.toIntExact(service.featureSize(kind));
        if (!firstMissing.isEmpty()) {
            misses += firstMissing.size();
            long[] rows = firstMissing.values().stream().mapToLong(Integer::longValue).toArray();
            try (NDArray index = manager.create(rows);
                    NDArray flat = images.reshape(new Shape(n).addAll(frameShape));
                    NDArray frames = flat.get(index);
                    NDArray encoded = service.encode(frames, kind)) {
                float[] values = encoded.toFloatArray();
                for (int j = 0; j < rows.length; j++) {
                    float[] v = new float[f];
                    System.arraycopy(values, j * f, v, 0, f);
                    found[(int) rows[j]] = v;
                    keep(keys[(int) rows[j]], v);
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

    /** Keeps {@code v}, then drops the least recently used frames while over either limit. */
    private void keep(Key key, float[] v) {
        float[] old = features.put(key, v);
        floats += v.length - (old == null ? 0 : old.length);
        Iterator<float[]> eldest = features.values().iterator();
        while (features.size() > capacity || floats > maxFloats) {
            floats -= eldest.next().length;
            eldest.remove();
        }
    }

    private Key key(EncoderFeatures kind, byte[] frame) {
        byte[] h = digest.digest(frame);
        ByteBuffer b = ByteBuffer.wrap(h);
        return new Key(kind, b.getLong(), b.getLong());
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
