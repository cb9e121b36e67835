package io.worldgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.SampleRequest;
import io.worldgate.api.experience.SequenceBatch;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

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

    /** A step after a terminal one begins an episode even without its own {@code first} flag, as in the host's stores. */
    @Test
    void aStepAfterATerminalIsReadAsFirst() {
        FakeExperience e = new FakeExperience(OBSERVATIONS, ACTION);
        List<ScriptStep> steps = episodes(false, 3, 3);
        for (ScriptStep s : steps) {
            e.add(new FakeExperience.Step(s.observations(), s.actionTensor(), s.reward(), s.value() == 0, s.terminal()));
        }
        SequenceBatch b = e.sampleSequences(SampleRequest.of(200, 6), new SplittableRandom(1));
        int seen = 0;
        for (long k = 0; k < 200 * 6; k++) {
            if (b.mask().getFloat(k) == 1f && b.observations().get("state").getFloat(k) == 3f) {
                assertThat(b.isFirst().getFloat(k)).as("isFirst of step 3 at row %d", k).isEqualTo(1f);
                seen++;
            }
        }
        assertThat(seen).isPositive();
    }

    @Override
    protected boolean episodeIterationCopies() {
        return true;
    }
}
