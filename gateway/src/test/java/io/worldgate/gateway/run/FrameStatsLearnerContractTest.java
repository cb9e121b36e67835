package io.worldgate.gateway.run;

import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.gateway.testplugins.framestats.FrameStatsFactory;
import io.worldgate.testkit.LearnerContractTest;
import java.util.Map;

/** The testkit's learner contract, kept by the frame-statistics learner that the learner-run tests deploy. */
class FrameStatsLearnerContractTest extends LearnerContractTest {
    @Override
    protected LearnerFactory factory() {
        return new FrameStatsFactory();
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("batch", "16");
    }
}
