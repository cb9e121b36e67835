package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrozenFeatureCacheTest {
    private static final int SIDE = 4;

    /** Each channel's mean over the frame, plus the frame's first byte: 4 features; counts the frames it encodes. */
    static final class MeanEncoder implements ImageEncoder {
        long framesEncoded;

        @Override
        public String name() {
            return "mean";
        }

        @Override
        public int[] imageSize() {
            return new int[] {SIDE, SIDE};
        }

        @Override
        public long featureSize() {
            return 4;
        }

        /** {@code cls}: the frame's first byte alone, one feature (a stand-in for another kind). */
        @Override
        public long featureSize(EncoderFeatures kind) {
            return kind == EncoderFeatures.CLS ? 1 : ImageEncoder.super.featureSize(kind);
        }

        @Override
        public NDArray encode(NDArray images, EncoderFeatures kind) {
            if (kind != EncoderFeatures.CLS) {
                return ImageEncoder.super.encode(images, kind);
            }
            Shape s = images.getShape();
            framesEncoded += s.size() / s.slice(s.dimension() - 3).size();
            return images.toType(DataType.FLOAT32, false).get("..., 0, 0, 0:1");
        }

        @Override
        public NDArray encode(NDArray images) {
            Shape s = images.getShape();
            int d = s.dimension();
            framesEncoded += s.size() / s.slice(d - 3).size();
            NDArray x = images.toType(DataType.FLOAT32, false);
            NDArray means = x.mean(new int[] {d - 3}).mean(new int[] {d - 3});
            NDArray first = x.get("..., 0, 0, 0:1");
            return means.concat(first, -1);
        }
    }

    private NDManager m;
    private final MeanEncoder encoder = new MeanEncoder();

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Frame {@code v}: every byte {@code v}, except channel 1, which is {@code 2v}. */
    private NDArray frames(int... values) {
        byte[] b = new byte[values.length * SIDE * SIDE * 3];
        for (int i = 0; i < values.length; i++) {
            for (int p = 0; p < SIDE * SIDE; p++) {
                int at = (i * SIDE * SIDE + p) * 3;
                b[at] = (byte) values[i];
                b[at + 1] = (byte) (2 * values[i]);
                b[at + 2] = (byte) values[i];
            }
        }
        return m.create(java.nio.ByteBuffer.wrap(b), new Shape(values.length, SIDE, SIDE, 3), DataType.UINT8);
    }

    @Test
    void aFrameSeenBeforeIsNotEncodedAgainAndTheFeaturesAreTheServices() {
        FrozenFeatureCache cache = new FrozenFeatureCache(100);
        NDArray batch = frames(1, 2, 1, 3, 2, 5).reshape(2, 3, SIDE, SIDE, 3);
        NDArray cached = cache.features(encoder, batch);
        assertThat(encoder.framesEncoded).isEqualTo(4); // 1, 2, 3, 5: the repeats in the batch once
        assertThat(cached.getShape()).isEqualTo(new Shape(2, 3, 4));
        // by hand: frame 3 -> channel means (3, 6, 3), first byte 3
        assertThat(cached.get(1, 0).toFloatArray()).containsExactly(3, 6, 3, 3);
        long before = encoder.framesEncoded;
        assertThat(cached.toFloatArray()).containsExactly(encoder.encode(batch).toFloatArray());
        encoder.framesEncoded = before;

        NDArray again = cache.features(encoder, frames(5, 3, 7));
        assertThat(encoder.framesEncoded).isEqualTo(5); // only 7 is new
        assertThat(again.toFloatArray()).containsExactly(5, 10, 5, 5, 3, 6, 3, 3, 7, 14, 7, 7);
        assertThat(cache.hits()).isEqualTo(2 + 2);
        assertThat(cache.misses()).isEqualTo(5);
    }

    @Test
    void theLeastRecentlyUsedFramesGoFirst() {
        FrozenFeatureCache cache = new FrozenFeatureCache(2);
        cache.features(encoder, frames(1, 2));
        cache.features(encoder, frames(1)); // 1 is now the most recent
        cache.features(encoder, frames(3)); // 2 goes
        assertThat(cache.size()).isEqualTo(2);
        long before = encoder.framesEncoded;
        cache.features(encoder, frames(1, 3));
        assertThat(encoder.framesEncoded).isEqualTo(before);
        cache.features(encoder, frames(2));
        assertThat(encoder.framesEncoded).isEqualTo(before + 1);
    }

    @Test
    void theKindOfFeaturesIsPartOfTheKey() {
        FrozenFeatureCache cache = new FrozenFeatureCache(100);
        assertThat(cache.features(encoder, frames(4, 6)).toFloatArray()).containsExactly(4, 8, 4, 4, 6, 12, 6, 6);
        // the same frames, another kind: encoded again, and the cache answers each kind with its own
        assertThat(cache.features(encoder, EncoderFeatures.CLS, frames(6, 4)).toFloatArray()).containsExactly(6, 4);
        assertThat(encoder.framesEncoded).isEqualTo(4);
        assertThat(cache.features(encoder, EncoderFeatures.MEAN, frames(6)).toFloatArray()).containsExactly(6, 12, 6, 6);
        assertThat(cache.features(encoder, EncoderFeatures.CLS, frames(4)).toFloatArray()).containsExactly(4);
        assertThat(encoder.framesEncoded).isEqualTo(4);
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    void wideFeaturesAreKeptUpToTheByteLimit() {
        FrozenFeatureCache cache = new FrozenFeatureCache(100, 2 * 4 * Float.BYTES); // two frames of 4 features
        cache.features(encoder, frames(1, 2, 3));
        assertThat(cache.size()).isEqualTo(2);
        long before = encoder.framesEncoded;
        cache.features(encoder, frames(2, 3)); // the two most recent are kept
        assertThat(encoder.framesEncoded).isEqualTo(before);
        cache.features(encoder, frames(1));
        assertThat(encoder.framesEncoded).isEqualTo(before + 1);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aKindTheServiceDoesNotGiveIsRefusedWhenBound() {
        EncoderSettings tokens = new EncoderSettings("mean", EncoderMode.FROZEN, 1e-4f, 8, 1000, EncoderFeatures.TOKENS);
        assertThatThrownBy(() -> BoundEncoder.bind(encoder, tokens, m)).isInstanceOf(AgentException.class)
                .hasMessageContaining("tokens");
    }

    @Test
    void aFrozenBoundEncoderServesRepeatedFramesFromItsCacheAndTheOtherModesHaveNone() {
        BoundEncoder frozen = BoundEncoder.bind(encoder, new EncoderSettings("mean", EncoderMode.FROZEN, 1e-4f, 8, 1000), m);
        ParameterStore ps = new ParameterStore(m, false);
        NDArray first = frozen.features(ps, frames(4, 6));
        NDArray second = frozen.features(ps, frames(6, 4));
        assertThat(encoder.framesEncoded).isEqualTo(2);
        assertThat(second.toFloatArray()).containsExactly(6, 12, 6, 6, 4, 8, 4, 4);
        assertThat(first.toFloatArray()).containsExactly(4, 8, 4, 4, 6, 12, 6, 6);
        assertThat(frozen.cache()).isNotNull();
        BoundEncoder off = BoundEncoder.bind(encoder, new EncoderSettings("mean", EncoderMode.FROZEN, 1e-4f, 8, 0), m);
        assertThat(off.cache()).isNull();
        off.features(ps, frames(4));
        assertThat(encoder.framesEncoded).isEqualTo(3);
    }
}
