package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.StepInfos;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpisodeInfosTest {

    /** Reports whatever infos the test sets; nothing else is used. */
    static final class Reporting implements VectorEnv, StepInfos {
        Map<String, float[]> infos = Map.of();

        @Override
        public Map<String, float[]> lastInfos() {
            return infos;
        }

        @Override
        public EnvSpec spec() {
            throw new UnsupportedOperationException();
        }

        @Override
        public StepBatch reset(long seed) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StepBatch step(Tensor actions) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    private static StepBatch batch(boolean... first) {
        return new StepBatch(NamedTensors.of(Map.of()), new float[first.length], new boolean[first.length],
                new boolean[first.length], first, new long[first.length]);
    }

    @Test
    void anEpisodeReportsTheLargestValueSinceItsFirstStep() {
        Reporting env = new Reporting();
        EpisodeInfos infos = new EpisodeInfos(env);
        List<String> reported = new ArrayList<>();
        env.infos = Map.of("success", new float[] {0.5f, 0f}); // reset: ignored, a first step
        infos.observe(batch(true, true));
        env.infos = Map.of("success", new float[] {0f, 1f});
        infos.observe(batch(false, false));
        env.infos = Map.of("success", new float[] {1f, 0f}); // env 1 lost its success again: still a success
        infos.observe(batch(false, false));
        env.infos = Map.of("success", new float[] {0f, 0f});
        infos.observe(batch(false, false));
        infos.finish(0, (tag, v) -> reported.add("env0 " + tag + "=" + v));
        infos.finish(1, (tag, v) -> reported.add("env1 " + tag + "=" + v));
        assertThat(reported).containsExactly("env0 episode/success=1.0", "env1 episode/success=1.0");

        // env 0 starts again and never succeeds; nothing is left over from its last episode
        env.infos = Map.of("success", new float[] {1f, 0f});
        infos.observe(batch(true, false));
        env.infos = Map.of("success", new float[] {0f, 0f});
        infos.observe(batch(false, false));
        reported.clear();
        infos.finish(0, (tag, v) -> reported.add(tag + "=" + v));
        assertThat(reported).containsExactly("episode/success=0.0");
    }

    @Test
    void anEnvWithoutInfosReportsNothing() {
        VectorEnv plain = new Reporting(); // reports no infos at all
        EpisodeInfos infos = new EpisodeInfos(plain);
        infos.observe(batch(false));
        List<String> reported = new ArrayList<>();
        infos.finish(0, (tag, v) -> reported.add(tag));
        assertThat(reported).isEmpty();
    }
}
