package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.testkit.ForwardingVectorEnv;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private final EnvRegistry registry = EnvRegistry.withBuiltins();

    /** Always pushes the cart right, which drops the pole in about ten steps; notes what it saw. */
    private static final class PushRight implements Policy {
        final List<Float> firstObservations = new ArrayList<>();
        int stepsUntilEnv0Ended = -1;
        private int calls;

        @Override
        public Tensor act(StepBatch obs) {
            calls++;
            if (calls == 1) {
                firstObservations.add(obs.observations().get("state").getFloat(0));
            }
            if (stepsUntilEnv0Ended < 0 && obs.isLast(0)) {
                stepsUntilEnv0Ended = calls;
            }
            int n = obs.rewards().length;
            int[] right = new int[n];
            Arrays.fill(right, 1);
            return Tensor.ofInts(right, n);
        }

        void nextEvaluation() {
            calls = 0;
            stepsUntilEnv0Ended = -1;
        }
    }

    @Test
    void filmsTheFirstEpisodeAtTheFirstEvaluationEveryThirdAfterItAndTheLast() {
        try (Evaluator evaluator = new Evaluator(n -> registry.create("java:CartPole", n, Map.of()), 3, 2, 7)) {
            PushRight policy = new PushRight();
            List<Boolean> filmed = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                policy.nextEvaluation();
                Evaluator.Result r = evaluator.evaluate(policy, i == 5, () -> false);
                filmed.add(r.video().isPresent());
                assertThat(r.episodes()).hasSize(3);
                assertThat(r.episodes()).allSatisfy(e -> {
                    assertThat(e.terminated()).as("the pole fell").isTrue();
                    assertThat(e.length()).isBetween(5, 40);
                    assertThat(e.episodeReturn()).isEqualTo(e.length());
                });
                assertThat(r.meanReturn()).isEqualTo(r.episodes().stream().mapToDouble(EpisodeSummary::episodeReturn).average().orElseThrow());
                r.video().ifPresent(v -> {
                    // every frame from the reset through the observation that ended environment 0's first episode
                    assertThat(v.shape()).containsExactly(policy.stepsUntilEnv0Ended, 96, 160, 3);
                });
            }
            assertThat(filmed).containsExactly(true, false, false, true, true);
            assertThat(policy.firstObservations).as("each evaluation starts from a seed of its own").doesNotHaveDuplicates();
        }
    }

    @Test
    void aVideoEndsWithTheFrameThatEndedTheEpisodeEvenWhenItEndsTheEvaluation() {
        try (Evaluator evaluator = new Evaluator(n -> registry.create("java:CartPole", n, Map.of()), 1, 1, 5)) {
            Evaluator.Result r = evaluator.evaluate(new PushRight(), false, () -> false);
            int length = r.episodes().get(0).length();
            // the reset's frame, then one per step through the last
            assertThat(r.video().orElseThrow().shape()).containsExactly(length + 1, 96, 160, 3);
        }
    }

    @Test
    void anEnvironmentThatCannotBeSeenGivesScoresButNoVideo() {
        try (Evaluator evaluator = new Evaluator(n -> registry.create("java:PointMass", n, Map.of("max_episode_steps", "20")), 2, 4, 0)) {
            Evaluator.Result r = evaluator.evaluate(obs -> Tensor.ofFloats(new float[obs.rewards().length], obs.rewards().length, 1), true,
                    () -> false);
            assertThat(r.video()).isEmpty();
            assertThat(r.episodes()).hasSize(2).allSatisfy(e -> assertThat(e.length()).isEqualTo(20));
        }
    }

    @Test
    void aStopEndsTheEvaluationWithTheEpisodesFinishedByThen() {
        try (Evaluator evaluator = new Evaluator(n -> registry.create("java:CartPole", n, Map.of()), 10, 1, 3)) {
            AtomicInteger checks = new AtomicInteger();
            PushRight policy = new PushRight();
            // one environment, push-right episodes of about ten steps: stopped after 30 steps, with
            // the one to three episodes finished by then, not the ten asked for
            Evaluator.Result r = evaluator.evaluate(policy, false, () -> checks.incrementAndGet() > 30);
            assertThat(r.episodes().size()).isBetween(1, 3);
            assertThat(r.episodes().stream().mapToInt(EpisodeSummary::length).sum()).isLessThanOrEqualTo(30);
        }
    }

    /**
     * CartPole with an image of 3 stacked RGB frames {@code [n, 2, 2, 9]}: at its t-th observation
     * every pixel of frame g (oldest first) holds {@code (3 t + g) mod 256}.
     */
    private static final class StackedFrames extends ForwardingVectorEnv {
        private int t;

        StackedFrames(VectorEnv inner) {
            super(inner);
        }

        @Override
        public StepBatch reset(long seed) {
            t = 0;
            return withImage(inner.reset(seed));
        }

        @Override
        public StepBatch step(Tensor actions) {
            t++;
            return withImage(inner.step(actions));
        }

        private StepBatch withImage(StepBatch b) {
            byte[] pixels = new byte[b.size() * 2 * 2 * 9];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (3 * t + (i % 9) / 3);
            }
            Map<String, Tensor> obs = new LinkedHashMap<>(b.observations().asMap());
            obs.put(DictSpace.IMAGE, Tensor.ofBytes(pixels, b.size(), 2, 2, 9));
            return new StepBatch(NamedTensors.of(obs), b.rewards(), b.terminated(), b.truncated(), b.isFirst(),
                    b.episodeIds());
        }
    }

    @Test
    void aStackOfFramesIsFilmedByItsNewestFrame() {
        try (Evaluator evaluator = new Evaluator(n -> new StackedFrames(registry.create("java:CartPole", n, Map.of())), 1, 1, 5)) {
            Tensor clip = evaluator.evaluate(new PushRight(), true, () -> false).video().orElseThrow();
            assertThat(clip.dtype()).isEqualTo(DType.UINT8);
            assertThat(clip.shape()).hasSize(4).endsWith(2, 2, 3);
            for (int t = 0; t < clip.dim(0); t++) {
                Tensor frame = clip.batchEntry(t);
                for (int i = 0; i < frame.numElements(); i++) {
                    assertThat(frame.getDouble(i)).as("frame %d, byte %d", t, i).isEqualTo((3 * t + 2) % 256);
                }
            }
        }
    }
}
