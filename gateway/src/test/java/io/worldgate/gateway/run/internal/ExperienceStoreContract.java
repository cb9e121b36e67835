package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.experience.Episode;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.experience.Selector;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.testkit.ExperienceContractTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ExperienceStore} must do, whatever keeps the data: subclasses say how to make
 * one. Most cases use one environment whose observation value is its global step index, so
 * alignment can be read off the samples. The testkit's {@link ExperienceContractTest} (slicing,
 * selectors, frames, episode iteration) runs on the same stores, fed through the host's appends.
 */
public abstract class ExperienceStoreContract extends ExperienceContractTest {
    protected static final EnvSpec SPEC = new EnvSpec("test:seq", new DictSpace(Map.of("state",
            BoxSpace.uniform(DType.FLOAT32, -1e9, 1e9, 1))), new DiscreteSpace(10), 1, 0, Map.of());

    private ExperienceStore open;

    /** A new, empty store for {@code spec}. */
    protected abstract ExperienceStore create(EnvSpec spec);

    private ExperienceStore store(EnvSpec spec) {
        open = create(spec);
        return open;
    }

    /** The testkit's script, appended as the host appends: observations, then the action unless the episode ended. */
    @Override
    protected Experience experienceOf(List<ScriptStep> steps) {
        Map<String, Space> spaces = new LinkedHashMap<>();
        OBSERVATIONS.forEach((name, spec) -> spaces.put(name, BoxSpace.uniform(spec.dtype(), 0, 255, spec.shape())));
        ExperienceStore e = store(new EnvSpec("test:script", new DictSpace(spaces), new DiscreteSpace(10), 1, 0, Map.of()));
        for (ScriptStep s : steps) {
            Map<String, Tensor> obs = new LinkedHashMap<>();
            s.observations().forEach((name, t) -> obs.put(name, t.reshape(prepend1(t.shape()))));
            e.appendObservations(new StepBatch(NamedTensors.of(obs), new float[] {s.reward()}, new boolean[] {s.terminal()},
                    new boolean[] {s.truncated()}, new boolean[] {s.first()}, new long[] {s.episode()}));
            if (!s.last()) {
                e.appendActions(s.actionTensor().reshape(1));
            }
        }
        return e;
    }

    private static int[] prepend1(int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = 1;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** Recency ages count appends: 2 environments, 30 appends, half-life 5; both environments alike. */
    @Test
    public void recencyWeighsAppendsNotEnvironments() {
        ExperienceStore e = store(ExperienceDriver.spec(2));
        ExperienceDriver d = new ExperienceDriver(e, 2, 7, 0.2);
        d.run(29); // 30 appends, steps 0..29 of each environment
        Selector.Recency recency = new Selector.Recency(5);
        int n = 30_000;
        Tensor state = e.sampleFrames(n, List.of("state"), recency, new SplittableRandom(11)).get("state");
        long[] counts = new long[30];
        int env1 = 0;
        for (int i = 0; i < n; i++) {
            env1 += (int) state.getFloat(2L * i);
            counts[(int) state.getFloat(2L * i + 1)]++;
        }
        double sum = 0;
        for (int a = 0; a < 30; a++) {
            sum += recency.weight(a);
        }
        double chi = 0;
        for (int pos = 0; pos < 30; pos++) {
            double expected = n * recency.weight(29 - pos) / sum;
            chi += (counts[pos] - expected) * (counts[pos] - expected) / expected;
        }
        assertThat(chi).as("chi-square, 29 degrees of freedom (99.9th percentile 58.3)").isLessThan(58.3);
        assertThat(env1).isBetween(14_250, 15_750); // 15000 expected, standard deviation 87
    }

    @AfterEach
    void closeStore() {
        if (open != null) {
            open.close();
        }
    }

    private static StepBatch obs(float value, float reward, boolean first, boolean terminal, long episode) {
        return obs(value, reward, first, terminal, false, episode);
    }

    private static StepBatch obs(float value, float reward, boolean first, boolean terminal, boolean truncated, long episode) {
        return new StepBatch(NamedTensors.of("state", Tensor.ofFloats(new float[] {value}, 1, 1)), new float[] {reward},
                new boolean[] {terminal}, new boolean[] {truncated}, new boolean[] {first}, new long[] {episode});
    }

    /** Episode 0: steps 0,1,2 (terminal at 2); episode 1: steps 3,4. Action at step t is t. */
    private ExperienceStore twoEpisodes() {
        ExperienceStore e = store(SPEC);
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
    public void wholeEpisodesKeepDreamersAlignment() {
        ExperienceStore e = twoEpisodes();
        assertThat(e.numSteps()).isEqualTo(5);
        assertThat(e.numEpisodes()).isEqualTo(2);
        List<Episode> finished = e.recentEpisodes(10);
        assertThat(finished).hasSize(1);
        Episode ep = finished.get(0);
        assertThat(ep.id()).isZero();
        assertThat(ep.terminated()).isTrue();
        assertThat(ep.observations().get("state").toFloatArray()).containsExactly(0, 1, 2);
        assertThat(ep.rewards().toFloatArray()).containsExactly(0, 1, 2);
        assertThat(ep.actions().toIntArray()).containsExactly(0, 1, 0);
        assertThat(ep.episodeReturn()).isEqualTo(3.0);
    }

    @Test
    public void sequencesCrossIntoTheNextEpisodeWithIsFirstAndArePaddedAtTheEnd() {
        ExperienceStore e = twoEpisodes();
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
                assertThat(b.actions().getInt(k)).isEqualTo(expected == 2 || expected == 4 ? 0 : (int) expected);
                sawCrossing |= expected == 3 && t > 0;
            }
        }
        assertThat(sawCrossing).as("some sequence crossed an episode boundary").isTrue();
        assertThat(sawPadding).as("some sequence ran past the stored steps").isTrue();
    }

    @Test
    public void aTruncatedEpisodeIsFinishedButNotTerminal() {
        ExperienceStore e = store(SPEC);
        e.appendObservations(obs(0, 0, true, false, 7));
        e.appendActions(Tensor.ofInts(new int[] {1}, 1));
        e.appendObservations(obs(1, 1, false, false, true, 7));
        List<Episode> finished = e.recentEpisodes(5);
        assertThat(finished).hasSize(1);
        assertThat(finished.get(0).id()).isEqualTo(7);
        assertThat(finished.get(0).terminated()).isFalse();
        SequenceBatch b = e.sampleSequences(8, 2, new SplittableRandom(1));
        assertThat(b.isTerminal().toFloatArray()).containsOnly(0f);
    }

    @Test
    public void anEmptyStoreRefusesToSample() {
        ExperienceStore e = store(SPEC);
        assertThat(e.numSteps()).isZero();
        assertThat(e.numEpisodes()).isZero();
        assertThat(e.recentEpisodes(3)).isEmpty();
        assertThatThrownBy(() -> e.sampleSequences(1, 1, new SplittableRandom(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void environmentsKeepTheirOwnStreamsAndSamplesEqualWhatWasAppended() {
        ExperienceStore e = store(ExperienceDriver.spec(3));
        ExperienceDriver d = new ExperienceDriver(e, 3, 11, 0.15);
        d.run(40);
        assertThat(e.numSteps()).isEqualTo(d.totalSteps());
        assertThat(e.numEpisodes()).isEqualTo(d.episodesStored(d.nothingDropped()));
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < 5; i++) {
            d.verify(e.sampleSequences(16, 7, rng), d.nothingDropped());
        }
        d.verifyEpisodes(e.recentEpisodes(4), 4, d.nothingDropped());
        d.verifyEpisodes(e.recentEpisodes(1000), 1000, d.nothingDropped());
    }

    @Test
    public void samplingIsUniformOverStoredSteps() {
        ExperienceStore e = store(ExperienceDriver.spec(2));
        ExperienceDriver d = new ExperienceDriver(e, 2, 3, 0.1);
        d.run(99); // 100 steps per environment
        int[] starts = new int[100];
        SequenceBatch b = e.sampleSequences(20_000, 1, new SplittableRandom(9));
        Tensor state = b.observations().get("state");
        int env1 = 0;
        for (int i = 0; i < 20_000; i++) {
            env1 += (int) state.getFloat(2L * i);
            starts[(int) state.getFloat(2L * i + 1)]++;
        }
        assertThat(env1).isBetween(9_400, 10_600);
        for (int count : starts) {
            assertThat(count).isBetween(120, 280); // 200 expected per position
        }
    }
}
