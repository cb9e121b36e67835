package io.worldgate.plugin.mae;

import io.worldgate.testkit.FakeLearnerContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Milliseconds per update at the small64 preset (64x64 frames, batch 64), printed; not a check.
 * Opt in: {@code -Dworldgate.mae.speed=true}.
 */
@EnabledIfSystemProperty(named = "worldgate.mae.speed", matches = "true")
class MaeSpeedTest {
    @Test
    void millisecondsPerUpdateAtSmall64(@TempDir Path dir) {
        MaeLearnerFactory factory = new MaeLearnerFactory();
        FakeLearnerContext context = new FakeLearnerContext(Frames.experience(64, 64, 1), Frames.space(64), dir, 1);
        try (MaeLearner learner = (MaeLearner) factory.create(context, factory.descriptor().resolve("small64", Map.of()))) {
            for (int i = 0; i < 3; i++) {
                learner.update();
            }
            int n = 20;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                learner.update();
            }
            double ms = (System.nanoTime() - start) / 1e6 / n;
            System.out.printf("MAE small64, batch 64, 64x64 frames: %.1f ms per update (%d updates, %s)%n", ms, n,
                    System.getProperty("ai.djl.pytorch.num_threads", "default") + " libtorch threads");
        }
    }
}
