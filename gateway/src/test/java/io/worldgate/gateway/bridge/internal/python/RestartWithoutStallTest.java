package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.awaitGone;
import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real workers killed or hung: the other workers' envs go on stepping while one restarts, and a
 * hung step is found within a deadline that follows the observed step times, not the call timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestartWithoutStallTest {

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    private static Tensor zeros(int n) {
        return Tensor.ofFloats(new float[n], n, 1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC_SHM", "SHM"})
    void theOtherWorkersEnvsKeepSteppingWhileAKilledOneRestarts(Transport transport) throws Exception {
        // a 3 s backoff: a restart that held the step would take at least that long
        BridgeConfig config = fast(2, transport).withFailurePolicy(5, Duration.ofSeconds(60), Duration.ofSeconds(3),
                Duration.ofSeconds(3));
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("const:2", 4,
                Map.of("length", "100000"))) {
            StepBatch b = env.reset(0);
            for (int t = 0; t < 5; t++) {
                b = env.step(zeros(4));
            }
            long[] healthyIds = {b.episodeIds()[0], b.episodeIds()[1]};
            long victim = env.workerPids().get(1);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            assertThat(awaitGone(victim, Duration.ofSeconds(5))).isTrue();

            long slowest = 0;
            int steps = 0;
            boolean back = false;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!back && System.nanoTime() < end) {
                long start = System.nanoTime();
                b = env.step(zeros(4));
                slowest = Math.max(slowest, System.nanoTime() - start);
                if (steps == 0) {
                    assertThat(b.truncated()).as("the killed worker's episodes are cut").containsExactly(false, false, true, true);
                } else {
                    assertThat(b.isFirst()[2] && b.isFirst()[3]).as("the restarting worker's envs wait or start anew").isTrue();
                    back = !b.truncated()[2] && b.isFirst()[2] && env.workerPids().get(1) > 0 && !env.waiting(2);
                }
                steps++;
                for (int i = 0; i < 2; i++) {
                    assertThat(b.isFirst()[i] || b.isLast(i)).as("healthy env %d goes on with its episode", i).isFalse();
                    assertThat(b.episodeIds()[i]).isEqualTo(healthyIds[i]);
                }
            }
            assertThat(back).as("the restarted worker's envs came back").isTrue();
            // not held for the backoff or the restart; a loaded machine starting Python on the same cores may still be slow
            assertThat(Duration.ofNanos(slowest)).as("the slowest step while a worker restarted").isLessThan(Duration.ofSeconds(3));
            assertThat(steps).as("steps taken while the worker restarted").isGreaterThan(3);
            assertThat(env.restarts()).containsExactly(0, 1);
            b = env.step(zeros(4));
            assertThat(b.isFirst()).containsExactly(false, false, false, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC", "SHM"})
    void aHungWorkerIsFoundWithinTheStepDeadlineNotTheCallTimeout(Transport transport) throws Exception {
        // call timeout 30 s; the step deadline's floor is 5 s by default, and const steps take well under a millisecond
        BridgeConfig config = fast(1, transport).withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(30));
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("const:2", 2,
                Map.of("hang_at", "60", "length", "1000"))) {
            env.reset(0);
            for (int t = 1; t < 60; t++) {
                env.step(zeros(2));
            }
            long hung = env.workerPids().get(0);
            // the deadline follows the step times seen so far, so the bound is read rather than assumed
            Duration deadline = env.stepDeadline();
            assertThat(deadline).as("the step deadline").isLessThan(config.callTimeout());
            long start = System.nanoTime();
            StepBatch cut = env.step(zeros(2));
            Duration stalled = Duration.ofNanos(System.nanoTime() - start);
            assertThat(cut.truncated()).containsExactly(true, true);
            assertThat(stalled).as("time to find the hung worker").isLessThan(deadline.plusSeconds(3));
            assertThat(awaitGone(hung, Duration.ofSeconds(5))).as("the hung worker was killed").isTrue();
        }
    }
}
