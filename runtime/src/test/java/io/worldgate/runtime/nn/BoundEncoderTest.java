package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.agent.AgentException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which frames of an agent's batch the online mode trains the encoder on. */
class BoundEncoderTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aWarmUpIsRefusedOutsideTheOnlineMode() {
        ImageEncoder service = new FrozenFeatureCacheTest.MeanEncoder();
        for (EncoderMode mode : new EncoderMode[] {EncoderMode.FROZEN, EncoderMode.FINETUNE}) {
            EncoderSettings settings = new EncoderSettings("mean", mode, 1e-4f, 8, 0, EncoderFeatures.MEAN, 5);
            assertThatThrownBy(() -> BoundEncoder.bind(service, settings, manager)).isInstanceOf(AgentException.class)
                    .hasMessageContaining("encoder_warmup");
        }
        try (BoundEncoder frozen = BoundEncoder.bind(service, new EncoderSettings("mean", EncoderMode.FROZEN, 1e-4f, 8, 0),
                manager)) {
            assertThat(frozen.warmingUp()).isFalse();
        }
    }

    /** Frames [2, 3] of one pixel each, valued by their flat index; the mask leaves 0, 1 and 3. */
    @Test
    void onlyValidFramesAreDrawnAndPaddingAloneGivesNone() {
        NDArray images = manager.arange(0f, 6f).reshape(new Shape(2, 3, 1, 1, 1));
        NDArray valid = manager.create(new float[] {1, 1, 0, 1, 0, 0}, new Shape(2, 3));
        for (long seed = 0; seed < 20; seed++) {
            float[] two = BoundEncoder.sampleFrames(images, valid, 2, new SplittableRandom(seed)).toFloatArray();
            assertThat(two).hasSize(2).doesNotHaveDuplicates();
            assertThat(new float[] {0f, 1f, 3f}).contains(two);
        }
        float[] all = BoundEncoder.sampleFrames(images, valid, 64, new SplittableRandom(1)).toFloatArray();
        Arrays.sort(all);
        assertThat(all).containsExactly(0f, 1f, 3f);
        assertThat(BoundEncoder.sampleFrames(images, null, 64, new SplittableRandom(1)).toFloatArray())
                .containsExactly(0f, 1f, 2f, 3f, 4f, 5f);
        assertThat(BoundEncoder.sampleFrames(images, manager.zeros(new Shape(2, 3)), 64, new SplittableRandom(1))).isNull();
    }
}
