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

    /**
     * A trainable stand-in: a linear map of each 1x1x3 frame's pixels to 2 features, whose own
     * loss is 0 times its features (every gradient zero: what changes a parameter is the decay alone).
     */
    private static final class ZeroLossEncoder implements ImageEncoder {
        final ai.djl.nn.core.Linear copy = ai.djl.nn.core.Linear.builder().setUnits(2).build();

        @Override
        public String name() {
            return "zero";
        }

        @Override
        public int[] imageSize() {
            return new int[] {1, 1};
        }

        @Override
        public long featureSize() {
            return 2;
        }

        @Override
        public NDArray encode(NDArray images) {
            throw new UnsupportedOperationException("online only");
        }

        @Override
        public TrainableImageEncoder trainableCopy(NDManager target) {
            copy.initialize(target, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3));
            return new TrainableImageEncoder() {
                @Override
                public ai.djl.nn.Block network() {
                    return copy;
                }

                @Override
                public java.util.List<ai.djl.nn.Parameter> encoderParameters() {
                    return io.worldgate.runtime.optim.Parameters.trainable(copy);
                }

                @Override
                public NDArray features(ai.djl.training.ParameterStore ps, NDArray images) {
                    NDArray x = images.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).reshape(-1, 3);
                    return copy.forward(ps, new ai.djl.ndarray.NDList(x), true).singletonOrThrow();
                }

                @Override
                public NDArray selfSupervisedLoss(ai.djl.training.ParameterStore ps, NDArray images, SplittableRandom rng) {
                    return features(ps, images).sum().mul(0f);
                }
            };
        }
    }

    @Test
    void theOnlineOptimizerDecaysMatricesButNotBiases() {
        ZeroLossEncoder service = new ZeroLossEncoder();
        EncoderSettings online = new EncoderSettings("zero", EncoderMode.ONLINE, 0.1f, 8, 0);
        try (io.worldgate.runtime.optim.NoGradient off = io.worldgate.runtime.optim.NoGradient.open();
                BoundEncoder bound = BoundEncoder.bind(service, online, manager)) {
            NDArray weight = service.copy.getParameters().get("weight").getArray();
            NDArray bias = service.copy.getParameters().get("bias").getArray();
            bias.set(new float[] {0.5f, -0.25f});
            float[] w0 = weight.toFloatArray();
            NDArray images = manager.ones(new Shape(4, 1, 1, 3), ai.djl.ndarray.types.DataType.UINT8);
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(manager, false);
            for (int i = 0; i < 3; i++) {
                bound.update(ps, images, null, new SplittableRandom(i));
            }
            // AdamW at η 0.1, λ 0.05 with zero gradients: w ← (1 - 0.005) w per step
            float[] w = weight.toFloatArray();
            for (int j = 0; j < w.length; j++) {
                assertThat(w[j]).isCloseTo((float) (w0[j] * Math.pow(0.995, 3)), org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThat(bias.toFloatArray()).containsExactly(0.5f, -0.25f);
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
