package io.worldgate.plugin.mae;

import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.testkit.LearnerContractTest;
import java.util.Map;

/** The testkit's learner contract, kept by the MAE learner at its debug size. */
class MaeContractTest extends LearnerContractTest {
    @Override
    protected LearnerFactory factory() {
        return new MaeLearnerFactory();
    }

    @Override
    protected String preset() {
        return "debug";
    }

    @Override
    protected Map<String, String> config() {
        return Map.of("batch", "4");
    }

    /**
     * The network's header ({@code BlockCheckpoint}) is a {@code java.util.Properties} file, which
     * carries the time it was written; {@code MaeLearnerTest} checks the rest byte for byte.
     */
    @Override
    protected boolean savesWhatItLoaded() {
        return false;
    }
}
