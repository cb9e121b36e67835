package io.worldgate.testkit;

import io.worldgate.api.experience.Experience;
import java.util.List;

/** The experience contract against the testkit's fake. */
class FakeExperienceContractTest extends ExperienceContractTest {
    @Override
    protected Experience experienceOf(List<ScriptStep> steps) {
        FakeExperience e = new FakeExperience(OBSERVATIONS, ACTION);
        for (ScriptStep s : steps) {
            e.add(new FakeExperience.Step(s.observations(), s.actionTensor(), s.first() ? 0 : s.reward(), s.first(),
                    s.terminal(), s.truncated()));
        }
        return e;
    }

    @Override
    protected boolean episodeIterationCopies() {
        return true;
    }
}
