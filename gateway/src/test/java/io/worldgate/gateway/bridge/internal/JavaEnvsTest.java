package io.worldgate.gateway.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JavaEnvsTest {
    private final EnvRegistry registry = EnvRegistry.withBuiltins();

    @Test
    void cartPoleStepMatchesTheEquationsOfMotionByHand() {
        // From rest, push right (+10 N). With m_c=1, m_p=0.1, l=0.5:
        // temp = 10/1.1 = 9.090909; theta'' = -temp / (0.5 (4/3 - 0.1/1.1)) = -14.634146;
        // x'' = temp - 0.05 theta'' / 1.1 = 9.756098. Euler with dt=0.02 from zero velocity:
        // x and theta stay 0, x' = 0.195122, theta' = -0.292683.
        CartPole c = new CartPole();
        c.setState(0, 0, 0, 0);
        float[] obs = new float[4];
        assertThat(c.step(new float[] {1}, obs)).isEqualTo(1f);
        assertThat(obs[0]).isEqualTo(0f);
        assertThat(obs[1]).isCloseTo(0.195122f, within(1e-5f));
        assertThat(obs[2]).isEqualTo(0f);
        assertThat(obs[3]).isCloseTo(-0.292683f, within(1e-5f));
        assertThat(c.terminated()).isFalse();
    }

    @Test
    void sameSeedAndActionsGiveTheSameObservationsAndRewards() {
        for (String id : new String[] {"java:CartPole", "java:PointMass"}) {
            float[] a = rollout(id, 11);
            float[] b = rollout(id, 11);
            float[] c = rollout(id, 12);
            assertThat(a).as(id).containsExactly(b);
            assertThat(a).as(id).isNotEqualTo(c);
        }
    }

    private float[] rollout(String id, long seed) {
        try (VectorEnv env = registry.create(id, 3, Map.of())) {
            StepBatch s = env.reset(seed);
            float[] trace = new float[3 * 200];
            for (int t = 0; t < 200; t++) {
                Tensor actions = id.endsWith("CartPole") ? Tensor.ofInts(new int[] {t % 2, 1, 0}, 3)
                        : Tensor.ofFloats(new float[] {0.5f, -1f, (t % 3) / 3f}, 3, 1);
                s = env.step(actions);
                for (int i = 0; i < 3; i++) {
                    trace[t * 3 + i] = s.observations().get("state").getFloat(i * (int) s.observations().get("state").dim(1)) + s.rewards()[i];
                }
            }
            return trace;
        }
    }

    @Test
    void anEndedEpisodeReportsItsFinalObservationThenResetsOnTheNextStep() {
        try (VectorEnv env = registry.create("java:PointMass", 1, Map.of("max_episode_steps", "3"))) {
            StepBatch s = env.reset(5);
            long firstEpisode = s.episodeIds()[0];
            assertThat(s.isFirst()[0]).isTrue();
            Tensor push = Tensor.ofFloats(new float[] {1}, 1, 1);
            for (int t = 1; t <= 3; t++) {
                s = env.step(push);
                assertThat(s.isFirst()[0]).isFalse();
                assertThat(s.truncated()[0]).isEqualTo(t == 3);
                assertThat(s.terminated()[0]).isFalse();
            }
            float finalX = s.observations().get("state").getFloat(0);
            // The next step resets: the action is ignored, reward 0, a new episode id.
            s = env.step(Tensor.ofFloats(new float[] {-1}, 1, 1));
            assertThat(s.isFirst()[0]).isTrue();
            assertThat(s.rewards()[0]).isZero();
            assertThat(s.episodeIds()[0]).isNotEqualTo(firstEpisode);
            assertThat(s.observations().get("state").getFloat(1)).as("velocity after reset").isZero();
            assertThat(s.observations().get("state").getFloat(0)).isNotEqualTo(finalX);
        }
    }

    @Test
    void invalidActionsAreRejectedWithoutStepping() {
        try (VectorEnv env = registry.create("java:CartPole", 2, Map.of())) {
            StepBatch first = env.reset(1);
            assertThatThrownBy(() -> env.step(Tensor.ofInts(new int[] {0, 2}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 1 is 2, outside 0..1");
            // Nothing stepped: one valid step still gives reward 1 and no reset.
            StepBatch next = env.step(Tensor.ofInts(new int[] {0, 1}, 2));
            assertThat(next.isFirst()).containsExactly(false, false);
            assertThat(next.episodeIds()).containsExactly(first.episodeIds());
        }
    }

    @Test
    void unknownIdsListWhatExists() {
        assertThatThrownBy(() -> registry.create("mujoco:Nope-v0", 1, Map.of())).isInstanceOf(EnvException.class)
                .hasMessageContaining("families: java");
        assertThatThrownBy(() -> registry.create("java:Nope", 1, Map.of()))
                .hasMessageContaining("java:CartPole, java:PointMass");
    }
}
