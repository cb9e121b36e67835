package io.worldgate.plugin.framestats;

import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.testkit.LearnerContractTest;
import java.util.Map;

/** The testkit's learner contract, kept by the frame-statistics learner. */
class FrameStatsContractTest extends LearnerContractTest {
    @Override
    protected LearnerFactory factory() {
        return new FrameStatsFactory();
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("batch", "16");
    }
}
