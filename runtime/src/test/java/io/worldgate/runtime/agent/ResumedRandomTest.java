package io.worldgate.runtime.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResumedRandomTest {

    @Test
    void theStreamIsTheSeedSpreadByTheUpdateCount() {
        // hand-derived: seed 7 after 2 updates is seed 7 XOR 3 x 0x9E3779B97F4A7C15
        long expected = new SplittableRandom(7L ^ (3L * 0x9E3779B97F4A7C15L)).nextLong();
        assertThat(ResumedRandom.after(7, 2).nextLong()).isEqualTo(expected);
    }

    @Test
    void aResumedAgentDrawsNeitherTheRunsFirstStreamNorAnotherResumesStream() {
        long fresh = new SplittableRandom(7).nextLong();
        long afterNone = ResumedRandom.after(7, 0).nextLong();
        long afterOne = ResumedRandom.after(7, 1).nextLong();
        assertThat(afterNone).isNotEqualTo(fresh);
        assertThat(afterOne).isNotEqualTo(afterNone).isNotEqualTo(fresh);
        assertThat(ResumedRandom.after(7, 1).nextLong()).as("repeatable").isEqualTo(afterOne);
    }
}
