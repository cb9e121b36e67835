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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorEnvEpisodeRunnerTest {

    /** One env whose reset and steps are scripted; {@code cut} marks the batches of an episode cut by a restart. */
    private static final class Scripted implements VectorEnv, StepInfos {
        private final Deque<StepBatch> batches = new ArrayDeque<>();
        private final Deque<Boolean> cuts = new ArrayDeque<>();
        private boolean cut;

        Scripted then(float reward, boolean first, boolean terminated, boolean truncated, boolean cutByRestart) {
            batches.add(new StepBatch(NamedTensors.of(Map.of()), new float[] {reward}, new boolean[] {terminated},
                    new boolean[] {truncated}, new boolean[] {first}, new long[1]));
            cuts.add(cutByRestart);
            return this;
        }

        private StepBatch next() {
            cut = cuts.removeFirst();
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
            return Map.of();
        }

        @Override
        public EnvSpec spec() {
            return new EnvSpec("scripted", new DictSpace(Map.of("state", new DiscreteSpace(2))), new DiscreteSpace(2), 1, 10, Map.of());
        }

        @Override
        public void close() {}
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
}
