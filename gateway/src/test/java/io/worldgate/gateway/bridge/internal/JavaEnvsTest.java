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
    void cartPoleIsDrawnWithThePoleAtItsAngle() {
        try (JavaVectorEnv env = (JavaVectorEnv) registry.create("java:CartPole", 2, Map.of())) {
            env.reset(0);
            CartPole upright = (CartPole) env.env(0);
            upright.setState(0, 0, 0, 0);
            CartPole leaning = (CartPole) env.env(1);
            leaning.setState(0, 0, Math.toRadians(30), 0);
            Tensor a = env.renderFrame(0).orElseThrow();
            Tensor b = env.renderFrame(1).orElseThrow();
            assertThat(a.shape()).containsExactly(96, 160, 3);
            // The cart sits at the centre (x = 0) on a track 3/4 down the frame; the pole is 1 m
            // long at 160 / 5.28 px per metre: about 30 px above the cart's top edge.
            int poleX = 80;
            int poleY = 96 * 3 / 4 - 5 - 15; // halfway up the pole
            assertThat(isPoleColour(a, poleY, poleX)).as("upright pole above the cart").isTrue();
            assertThat(isPoleColour(b, poleY, poleX)).as("a pole leaning 30 degrees is not straight above").isFalse();
            int leanX = poleX + (int) Math.round(15 * Math.sin(Math.toRadians(30)));
            int leanY = 96 * 3 / 4 - 5 - (int) Math.round(15 * Math.cos(Math.toRadians(30)));
            assertThat(isPoleColour(b, leanY, leanX)).as("leaning pole to the right").isTrue();
        }
    }

    private static boolean isPoleColour(Tensor rgb, int y, int x) {
        int at = (y * 160 + x) * 3;
        int r = rgb.buffer().get(at) & 0xff;
        int g = rgb.buffer().get(at + 1) & 0xff;
        int b = rgb.buffer().get(at + 2) & 0xff;
        return r > 150 && g > 100 && g < 200 && b < 150;
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
