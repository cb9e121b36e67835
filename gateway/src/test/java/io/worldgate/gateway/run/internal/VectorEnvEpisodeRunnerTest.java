package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.StepInfos;
import io.worldgate.gateway.run.PlayedEpisode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorEnvEpisodeRunnerTest {

    /** One env whose reset and steps are scripted; {@code cut} marks the batches of an episode cut by a restart. */
    private static final class Scripted implements VectorEnv, StepInfos {
        private final Deque<StepBatch> batches = new ArrayDeque<>();
        private final Deque<Boolean> cuts = new ArrayDeque<>();
        private final Deque<Map<String, float[]>> infos = new ArrayDeque<>();
        private boolean cut;
        private Map<String, float[]> info = Map.of();

        Scripted then(float reward, boolean first, boolean terminated, boolean truncated, boolean cutByRestart) {
            batches.add(new StepBatch(NamedTensors.of(Map.of()), new float[] {reward}, new boolean[] {terminated},
                    new boolean[] {truncated}, new boolean[] {first}, new long[1]));
            cuts.add(cutByRestart);
            infos.add(Map.of());
            return this;
        }

        /** The last batch comes with this {@code success} flag. */
        Scripted success(float flag) {
            infos.removeLast();
            infos.add(Map.of("success", new float[] {flag}));
            return this;
        }

        private StepBatch next() {
            cut = cuts.removeFirst();
            info = infos.removeFirst();
            return batches.removeFirst();
        }

        @Override
        public StepBatch reset(long seed) {
            return next();
        }

        @Override
        public StepBatch step(Tensor actions) {
            return next();
        }

        @Override
        public boolean cut(int env) {
            return cut;
        }

        @Override
        public Map<String, float[]> lastInfos() {
            return info;
        }

        @Override
        public EnvSpec spec() {
            return new EnvSpec("scripted", new DictSpace(Map.of("state", new DiscreteSpace(2))), new DiscreteSpace(2), 1, 10, Map.of());
        }

        @Override
        public void close() {}
    }

    /**
     * {@code lengths.length} envs; env {@code i}'s episodes last {@code lengths[i]} steps of reward
     * {@code i + 1} each and end terminated; the step after an episode's last is the next one's first.
     */
    private static final class FixedLengths implements VectorEnv {
        private final int[] lengths;
        private final int[] t;

        FixedLengths(int... lengths) {
            this.lengths = lengths;
            this.t = new int[lengths.length];
        }

        @Override
        public StepBatch reset(long seed) {
            Arrays.fill(t, 0);
            boolean[] first = new boolean[lengths.length];
            Arrays.fill(first, true);
            return batch(new float[lengths.length], new boolean[lengths.length], first);
        }

        @Override
        public StepBatch step(Tensor actions) {
            int n = lengths.length;
            float[] rewards = new float[n];
            boolean[] terminated = new boolean[n];
            boolean[] first = new boolean[n];
            for (int i = 0; i < n; i++) {
                if (t[i] == lengths[i]) {
                    t[i] = 0;
                    first[i] = true;
                } else {
                    t[i]++;
                    rewards[i] = i + 1;
                    terminated[i] = t[i] == lengths[i];
                }
            }
            return batch(rewards, terminated, first);
        }

        private StepBatch batch(float[] rewards, boolean[] terminated, boolean[] first) {
            int n = lengths.length;
            return new StepBatch(NamedTensors.of(Map.of()), rewards, terminated, new boolean[n], first, new long[n]);
        }

        @Override
        public EnvSpec spec() {
            return new EnvSpec("fixed-lengths", new DictSpace(Map.of("state", new DiscreteSpace(2))), new DiscreteSpace(2),
                    lengths.length, 100, Map.of());
        }

        @Override
        public void close() {}
    }

    @Test
    void eachEnvPlaysItsShareSoShortEpisodesAreNotFavoured() {
        // env 0 ends every 2 steps, env 1 every 10: by the time env 1 ends its first episode env 0
        // has ended five, and "the first 5 to end" would be 4 of env 0's and 1 of env 1's
        FixedLengths env = new FixedLengths(2, 10);
        List<EpisodeSummary> done = VectorEnvEpisodeRunner.runOn(env, obs -> Tensor.ofInts(new int[2], 2), 5, 0);
        assertThat(done).extracting(EpisodeSummary::length).containsExactlyInAnyOrder(2, 2, 2, 10, 10);
        assertThat(done).extracting(EpisodeSummary::episodeReturn).containsExactlyInAnyOrder(2.0, 2.0, 2.0, 20.0, 20.0);
    }

    @Test
    void anEpisodeCutByAWorkerRestartIsNotAnEvaluationEpisode() {
        Scripted env = new Scripted()
                .then(0, true, false, false, false)   // reset
                .then(1, false, false, false, false)
                .then(1, false, false, true, true)    // cut by a restart after a return of 2
                .then(0, true, false, false, false)   // stand-in while the worker restarts
                .then(0, true, false, false, false)   // the new episode
                .then(5, false, false, false, false)
                .then(5, false, true, false, false);  // ends: a return of 10
        List<EpisodeSummary> done = VectorEnvEpisodeRunner.runOn(env, obs -> Tensor.ofInts(new int[1], 1), 1, 0);
        assertThat(done).extracting(EpisodeSummary::episodeReturn).containsExactly(10.0);
    }

    @Test
    void eachEpisodeCarriesTheLargestValueOfEachReportedNumberSinceItsFirstStep() {
        Scripted env = new Scripted()
                .then(0, true, false, false, false).success(1)    // the reset's flag is not the episode's
                .then(1, false, false, false, false).success(0)
                .then(1, false, false, true, false).success(0)    // truncated, never solved
                .then(0, true, false, false, false).success(1)    // the next episode's first step: not its flag either
                .then(1, false, false, false, false).success(1)   // solved at one step...
                .then(1, false, false, true, true).success(0)     // ...but cut by a worker restart: played again
                .then(0, true, false, false, false).success(0)
                .then(1, false, false, false, false).success(0)
                .then(1, false, false, false, false).success(1)   // solved at one step...
                .then(1, false, true, false, false).success(0)    // ...and not at the last: a success
                .then(0, true, false, false, false).success(0)
                .then(5, false, false, true, false).success(0);   // truncated, never solved
        List<PlayedEpisode> played = VectorEnvEpisodeRunner.play(env, obs -> Tensor.ofInts(new int[1], 1), 3, 0);
        assertThat(played).extracting(e -> e.summary().episodeReturn()).containsExactly(2.0, 3.0, 5.0);
        assertThat(played).extracting(e -> e.infos().get("success")).containsExactly(0.0, 1.0, 0.0);
        assertThat(PlayedEpisode.meanInfos(played)).containsExactly(Map.entry("success", 1.0 / 3));
    }
}
