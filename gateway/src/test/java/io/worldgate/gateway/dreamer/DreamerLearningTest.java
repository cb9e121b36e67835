package io.worldgate.gateway.dreamer;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real dreamer bundle, deployed in a real Felix host, learns java:CartPole (Gymnasium's
 * CartPole-v1 physics, 500-step episodes) with the {@code debug} preset through the gateway's
 * own training loop, and its evaluation return beats the random agent's by a clear margin.
 *
 * <p>Budget: 4 environments, 4,000 env steps, 800 of them random prefill, then 0.25 updates per
 * env step (800 updates of 16 x 16 sequences; DreamerV3's replay ratio 64). About 1.5 minutes on
 * two shared cores (one libtorch thread, see the gateway pom). Tuning: the debug preset and this
 * budget were chosen from runs with seeds 0, 1, 2, 3 and 7 (with the final preset, seeds 0 and 1
 * evaluated 319 at 4,000 steps and 430 and 472 at 5,000; see bench/dreamer/README.md). This test
 * uses seed 11, which no choice was based on (it evaluated 285 with the earlier actor learning
 * rate and 310 with the final one).
 */
class DreamerLearningTest {
    static final long SEED = 11;
    static final long STEPS = 4_000;

    @Test
    void learnsCartPoleFarBeyondTheRandomAgent(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.dreamerPlugin(), f.deploy.resolve("dreamer.jar"), "1.0.0");
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("dreamer and random", 60, () -> f.host.bestFactory("dreamer").isPresent()
                    && f.host.bestFactory("random").isPresent());

            double random = evaluate(f, tmp, "random", null, 1_000, 0, 0);
            long t0 = System.nanoTime();
            double dreamer = evaluate(f, tmp, "dreamer", "debug", STEPS, 0.25, 800);
            double minutes = (System.nanoTime() - t0) / 60e9;
            System.out.printf("java:CartPole seed %d: dreamer %.1f after %d steps (%.1f min), random %.1f%n", SEED, dreamer,
                    STEPS, minutes, random);
            assertThat(random).isBetween(10.0, 40.0);
            assertThat(dreamer).as("dreamer's mean evaluation return vs random's %.1f", random)
                    .isGreaterThanOrEqualTo(3 * random);
        }
    }

    /** Trains {@code agent} for {@code steps} and returns the mean return of 10 evaluation episodes at the end. */
    static double evaluate(HostFixture f, Path tmp, String agent, String preset, long steps, double trainRatio, long prefill)
            throws InterruptedException {
        Path dir = tmp.resolve("runs").resolve(agent);
        RunConfig config = new RunConfig(agent, agent, preset, Map.of(), "java:CartPole", Map.of(), 4, steps, SEED,
                trainRatio, prefill, 0, steps, 10, dir, "cpu");
        Events events = new Events();
        TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(), events).start();
        RunStatus end = run.await(Duration.ofMinutes(12));
        if (end.state() != RunState.FINISHED) {
            run.stop();
            run.await(Duration.ofSeconds(30));
        }
        assertThat(end.state()).as("%s: %s", agent, events.events).isEqualTo(RunState.FINISHED);
        List<double[]> evaluations = run.evaluations();
        assertThat(evaluations).as("%s evaluations: %s", agent, events.events).isNotEmpty();
        return evaluations.get(evaluations.size() - 1)[1];
    }

    /** Records every event of a run. */
    static final class Events implements RunListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunStatus status, String event) {
            events.add("step " + status.step() + ": " + event);
        }

        boolean any(String fragment) {
            return events.stream().anyMatch(e -> e.contains(fragment));
        }
    }
}
