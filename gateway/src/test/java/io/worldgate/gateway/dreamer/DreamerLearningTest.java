package io.worldgate.gateway.dreamer;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunFixtures;
import io.worldgate.gateway.run.RunFixtures.Events;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dreamer bundle, deployed in a real Felix host, learns java:CartPole (Gymnasium's
 * CartPole-v1 physics, 500-step episodes) with the {@code debug} preset through the gateway's
 * own training loop, and its evaluation return beats the random agent's by a clear margin.
 *
 * <p>Budget: 4 environments, 5,000 env steps, 800 of them random prefill, then 0.25 updates per
 * env step (1,050 updates of 16 x 16 sequences; DreamerV3's replay ratio 64), evaluated with 10
 * episodes every 1,000 steps. About 2 minutes on two cores (one libtorch thread, see the gateway
 * pom).
 *
 * <p>What is asserted: the best of the five evaluations is at least five times the random agent's
 * mean return (about 20, so at least about 100). Not the last one alone: this early, Dreamer's
 * greedy CartPole policy still swings between evaluations (one run went 500, 410, 40, 444), and
 * the earlier form of this test, the last evaluation at 4,000 steps, read 310, 202 and once 14 for
 * the same seed. The best of five is the usual best-checkpoint reading; it is set against the
 * random agent's mean over 10 evaluation episodes (18.1 in the CI runs).
 *
 * <p>Tuning: the debug preset and this budget were chosen from runs with seeds 0, 1, 2, 3 and 7.
 * This test uses seed 11, which no choice was based on. Runs with one seed are not repeatable bit
 * for bit (hence the spread above).
 */
class DreamerLearningTest {
    static final long SEED = 11;
    static final long STEPS = 5_000;

    @Test
    void learnsCartPoleFarBeyondTheRandomAgent(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.dreamerPlugin(), f.deploy.resolve("dreamer.jar"), "1.0.0");
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("dreamer and random", 60, () -> f.host.bestFactory("dreamer").isPresent()
                    && f.host.bestFactory("random").isPresent());

            double random = lastEvaluation(train(f, tmp, "random", null, 1_000, 0, 0, 1_000));
            long t0 = System.nanoTime();
            List<double[]> dreamer = train(f, tmp, "dreamer", "debug", STEPS, 0.25, 800, 1_000);
            double minutes = (System.nanoTime() - t0) / 60e9;
            double best = dreamer.stream().mapToDouble(e -> e[1]).max().orElseThrow();
            String curve = dreamer.stream().map(e -> String.format(java.util.Locale.ROOT, "%.0f: %.1f", e[0], e[1])).toList().toString();
            System.out.printf("java:CartPole seed %d: dreamer evaluations %s (%.1f min), random %.1f%n", SEED, curve, minutes,
                    random);
            assertThat(random).isBetween(10.0, 40.0);
            assertThat(dreamer).hasSize((int) (STEPS / 1_000));
            assertThat(best).as("dreamer's best evaluation %s vs random's %.1f", curve, random)
                    .isGreaterThanOrEqualTo(5 * random);
        }
    }

    static double lastEvaluation(List<double[]> evaluations) {
        return evaluations.get(evaluations.size() - 1)[1];
    }

    /** Trains {@code agent} for {@code steps}; returns its evaluations (step, mean return of 10 episodes). */
    static List<double[]> train(HostFixture f, Path tmp, String agent, String preset, long steps, double trainRatio,
            long prefill, long evalEvery) throws InterruptedException {
        Path dir = tmp.resolve("runs").resolve(agent);
        RunConfig config = new RunConfig(agent, agent, preset, Map.of(), "java:CartPole", Map.of(), 4, steps, SEED,
                trainRatio, prefill, 0, evalEvery, 10, dir, "cpu");
        return RunFixtures.trainToTheEnd(config, f.host, new Events(), Duration.ofMinutes(12));
    }
}
