package io.worldgate.gateway.tdmpc2;

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
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real tdmpc2 bundle, deployed in a real Felix host, learns java:PointMass (a point pushed by a
 * force in [-1, 1] towards the origin, reward {@code 1 - min(|x|, 1)} per step, 200-step episodes,
 * so at most 200) with the {@code debug} preset, planning with MPPI, through the gateway's own
 * training loop; its evaluation return beats the random agent's by a clear margin.
 *
 * <p>Budget: 1 environment, 3,000 steps, 500 of them random prefill, then 500 updates on those
 * (TD-MPC2's pretraining on its seed data) and one update per step, evaluated with 5 episodes
 * every 1,000 steps. About a minute on two cores.
 *
 * <p>What is asserted: the best of the three evaluations is at least twice the random agent's mean
 * return and 80 above it. The random agent's return depends much on where episodes start (5
 * episodes gave 34 and 72 for two seeds), so it is measured over 20 episodes.
 *
 * <p>Tuning: none for this task; the debug preset was made for the unit tests. One exploratory run
 * with seed 11 (evaluations up to 192.5, random 34.0) set the budget, and a first form of this test
 * (three times the random agent's 5-episode return) met a random return of 72.3 with seed 23,
 * which no agent could treble (tdmpc2 reached 194.2). This test uses seed 23.
 */
class TdMpc2LearningTest {
    /** The seed; {@code -Dworldgate.test.tdmpc2.seed=N} runs another (the test's bar is for 23). */
    static final long SEED = Long.getLong("worldgate.test.tdmpc2.seed", 23);
    /**
     * {@code -Dworldgate.test.tdmpc2.precision=bf16} trains with bfloat16 products and activations
     * (add {@code -Dworldgate.precision.emulateBf16=true} on a CPU without native bfloat16).
     */
    static final String PRECISION = System.getProperty("worldgate.test.tdmpc2.precision", "fp32");
    /** Minutes a run may take ({@code -Dworldgate.test.tdmpc2.minutes}): emulated bf16 needs more than 10. */
    static final long MINUTES = Long.getLong("worldgate.test.tdmpc2.minutes", 10);
    static final long STEPS = 3_000;

    @Test
    void learnsPointMassFarBeyondTheRandomAgent(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.tdmpc2Plugin(), f.deploy.resolve("tdmpc2.jar"), "1.0.0");
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("tdmpc2 and random", 60, () -> f.host.bestFactory("tdmpc2").isPresent()
                    && f.host.bestFactory("random").isPresent());

            List<double[]> random = train(f, tmp, "random", null, 1_000, 0, 0, 20);
            double randomReturn = random.get(random.size() - 1)[1];
            long t0 = System.nanoTime();
            List<double[]> tdmpc2 = train(f, tmp, "tdmpc2", "debug", STEPS, 1.0, 500, 5);
            double minutes = (System.nanoTime() - t0) / 60e9;
            double best = tdmpc2.stream().mapToDouble(e -> e[1]).max().orElseThrow();
            String curve = tdmpc2.stream().map(e -> String.format(Locale.ROOT, "%.0f: %.1f", e[0], e[1])).toList().toString();
            System.out.printf("java:PointMass seed %d, %s: tdmpc2 evaluations %s (%.1f min), random %.1f%n", SEED,
                    PRECISION, curve, minutes, randomReturn);
            assertThat(randomReturn).isBetween(5.0, 110.0);
            assertThat(tdmpc2).hasSize((int) (STEPS / 1_000));
            assertThat(best).as("tdmpc2's best evaluation %s vs random's %.1f", curve, randomReturn)
                    .isGreaterThanOrEqualTo(Math.max(2 * randomReturn, randomReturn + 80));
        }
    }

    /** Trains {@code agent} for {@code steps}; returns its evaluations (step, mean return of {@code episodes}). */
    static List<double[]> train(HostFixture f, Path tmp, String agent, String preset, long steps, double trainRatio,
            long prefill, int episodes) throws InterruptedException {
        Path dir = tmp.resolve("runs").resolve(agent);
        Map<String, String> overrides = "tdmpc2".equals(agent) ? Map.of("precision", PRECISION) : Map.of();
        RunConfig config = new RunConfig(agent, agent, preset, overrides, "java:PointMass", Map.of(), 1, steps, SEED,
                trainRatio, prefill, 0, 1_000, episodes, dir, "cpu");
        return RunFixtures.trainToTheEnd(config, f.host, new Events(), Duration.ofMinutes(MINUTES));
    }
}
