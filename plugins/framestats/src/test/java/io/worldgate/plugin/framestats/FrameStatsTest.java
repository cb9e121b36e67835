package io.worldgate.plugin.framestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.worldgate.api.agent.AgentException;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.api.tensor.TensorSpec;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.FakeLearnerContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the learner learns, against values worked out by hand. */
class FrameStatsTest {

    /**
     * An experience of identical 4x4 RGB frames whose pixel (y, x, c) is 10c + 4y + x: channel c
     * holds 10c + k for k = 0..15, so its mean is 10c + 7.5 and its std sqrt((16^2 - 1) / 12),
     * whichever frames are drawn.
     */
    private static FakeExperience identicalFrames() {
        FakeExperience e = new FakeExperience(Map.of("image", new TensorSpec(DType.UINT8, new int[] {4, 4, 3})),
                new TensorSpec(DType.INT32, new int[0]));
        for (int t = 0; t < 20; t++) {
            Tensor image = Tensor.allocate(DType.UINT8, 4, 4, 3);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    for (int c = 0; c < 3; c++) {
                        image.setDouble((y * 4 + x) * 3 + c, 10 * c + 4 * y + x);
                    }
                }
            }
            e.add(new FakeExperience.Step(Map.of("image", image), Tensor.ofInts(new int[] {0}), 0f, t == 0, false));
        }
        return e;
    }

    private static final DictSpace IMAGE = new DictSpace(Map.of("image", BoxSpace.image(4, 4, 3)));

    @Test
    void learnsThePerChannelMeanAndStdOfTheFrames(@TempDir Path dir) {
        FrameStatsFactory factory = new FrameStatsFactory();
        FakeLearnerContext context = new FakeLearnerContext(identicalFrames(), IMAGE, dir, 1);
        try (Learner learner = factory.create(context, factory.descriptor().resolve(null, Map.of("batch", "5")))) {
            Map<String, Double> m = Map.of();
            for (int i = 0; i < 3; i++) {
                m = learner.update();
            }
            FrameStats stats = (FrameStats) learner;
            assertThat(stats.count()).isEqualTo(3L * 5 * 16);
            for (int c = 0; c < 3; c++) {
                assertThat(m.get("stats/mean/c" + c)).isCloseTo(10 * c + 7.5, within(1e-9));
                assertThat(m.get("stats/std/c" + c)).isCloseTo(Math.sqrt(255.0 / 12), within(1e-9));
            }
        }
    }

    @Test
    void anObservationTheExperienceDoesNotHoldIsRefused(@TempDir Path dir) {
        FrameStatsFactory factory = new FrameStatsFactory();
        FakeLearnerContext context = new FakeLearnerContext(identicalFrames(), IMAGE, dir, 1);
        assertThatThrownBy(() -> factory.create(context, factory.descriptor().resolve(null, Map.of("key", "depth"))))
                .isInstanceOf(AgentException.class).hasMessageContaining("no observation 'depth'");
    }
}
