package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One environment; observation value = global step index, so alignment can be read off the samples. */
class InMemoryExperienceTest {
    private static final EnvSpec SPEC = new EnvSpec("test:seq", new DictSpace(Map.of("state",
            BoxSpace.uniform(DType.FLOAT32, -1e9, 1e9, 1))), new DiscreteSpace(10), 1, 0, Map.of());

    private static StepBatch obs(float value, float reward, boolean first, boolean terminal, long episode) {
        return new StepBatch(NamedTensors.of("state", Tensor.ofFloats(new float[] {value}, 1, 1)), new float[] {reward},
                new boolean[] {terminal}, new boolean[] {false}, new boolean[] {first}, new long[] {episode});
    }

    /** Episode 0: steps 0,1,2 (terminal at 2); episode 1: steps 3,4. Action at step t is t. */
    private static InMemoryExperience twoEpisodes() {
        InMemoryExperience e = new InMemoryExperience(SPEC);
        e.appendObservations(obs(0, 0, true, false, 0));
        e.appendActions(Tensor.ofInts(new int[] {0}, 1));
        e.appendObservations(obs(1, 1, false, false, 0));
        e.appendActions(Tensor.ofInts(new int[] {1}, 1));
        e.appendObservations(obs(2, 2, false, true, 0));
        e.appendActions(Tensor.ofInts(new int[] {9}, 1)); // ignored: the host resets this env next
        e.appendObservations(obs(3, 5, true, false, 1)); // a reset's reward is stored as 0
        e.appendActions(Tensor.ofInts(new int[] {3}, 1));
        e.appendObservations(obs(4, 4, false, false, 1));
        return e;
    }

    @Test
    void wholeEpisodesKeepDreamersAlignment() {
        InMemoryExperience e = twoEpisodes();
        assertThat(e.numSteps()).isEqualTo(5);
        assertThat(e.numEpisodes()).isEqualTo(2);
        List<Episode> finished = e.recentEpisodes(10);
        assertThat(finished).hasSize(1);
        Episode ep = finished.get(0);
        assertThat(ep.terminated()).isTrue();
        assertThat(ep.observations().get("state").toFloatArray()).containsExactly(0, 1, 2);
        assertThat(ep.rewards().toFloatArray()).containsExactly(0, 1, 2);
        assertThat(ep.actions().toIntArray()).containsExactly(0, 1, 0);
        assertThat(ep.episodeReturn()).isEqualTo(3.0);
    }

    @Test
    void sequencesCrossIntoTheNextEpisodeWithIsFirstAndArePaddedAtTheEnd() {
        InMemoryExperience e = twoEpisodes();
        SequenceBatch b = e.sampleSequences(64, 4, new SplittableRandom(3));
        boolean sawCrossing = false;
        boolean sawPadding = false;
        for (int i = 0; i < 64; i++) {
            float start = b.observations().get("state").getFloat(i * 4L);
            for (int t = 0; t < 4; t++) {
                long k = i * 4L + t;
                float expected = start + t;
                if (expected > 4) {
                    assertThat(b.mask().getFloat(k)).isZero();
                    sawPadding = true;
                    continue;
                }
                assertThat(b.mask().getFloat(k)).isEqualTo(1f);
                assertThat(b.observations().get("state").getFloat(k)).isEqualTo(expected);
                assertThat(b.isFirst().getFloat(k)).isEqualTo(expected == 0 || expected == 3 ? 1f : 0f);
                assertThat(b.isTerminal().getFloat(k)).isEqualTo(expected == 2 ? 1f : 0f);
                assertThat(b.rewards().getFloat(k)).isEqualTo(expected == 3 ? 0f : expected);
                sawCrossing |= expected == 3 && t > 0;
            }
        }
        assertThat(sawCrossing).as("some sequence crossed an episode boundary").isTrue();
        assertThat(sawPadding).as("some sequence ran past the stored steps").isTrue();
    }
}
