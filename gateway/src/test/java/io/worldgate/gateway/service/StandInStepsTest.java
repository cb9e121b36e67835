package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.bridge.StepInfos;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.testkit.ForwardingVectorEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While a worker restarts, its envs report stand-in rows (no simulator stepped). They are not env
 * steps: the run's step budget counts only the steps a simulator took.
 */
class StandInStepsTest {
    /** Step calls of {@code standin:CartPole} during which env 1 is a stand-in (its worker restarting). */
    private static final int WAIT_FROM = 5;
    private static final int WAIT_CALLS = 10;

    private static final class Restarting extends ForwardingVectorEnv implements StepInfos {
        private final AtomicInteger calls;
        private boolean waiting;

        Restarting(VectorEnv inner, AtomicInteger calls) {
            super(inner);
            this.calls = calls;
        }

        @Override
        public StepBatch step(Tensor actions) {
            int call = calls.incrementAndGet();
            StepBatch b = inner.step(actions);
            waiting = call >= WAIT_FROM && call < WAIT_FROM + WAIT_CALLS;
            if (!waiting) {
                return b;
            }
            boolean[] first = b.isFirst().clone();
            float[] rewards = b.rewards().clone();
            first[1] = true;
            rewards[1] = 0;
            boolean[] no = new boolean[first.length];
            return new StepBatch(b.observations(), rewards, no, no.clone(), first, b.episodeIds());
        }

        @Override
        public Map<String, float[]> lastInfos() {
            return Map.of();
        }

        @Override
        public boolean waiting(int env) {
            return waiting && env == 1;
        }
    }

    @Test
    void standInRowsDoNotCountTowardsTheStepBudget(@TempDir Path tmp) throws Exception {
        Path deploy = Files.createDirectories(tmp.resolve("deploy"));
        Files.copy(TestBundles.randomPlugin(), deploy.resolve("random.jar"));
        EnvRegistry envs = new EnvRegistry();
        AtomicInteger stepCalls = new AtomicInteger();
        envs.register(new WrappedCartPole("standin", inner -> new Restarting(inner, stepCalls)));
        try (Gateway gateway = Gateway.start(deploy, tmp.resolve("runs"));
                RunManager manager = new RunManager(gateway.plugins(), envs, tmp.resolve("runs"), new MetricsRegistry())) {
            await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
            TrainingRun run = manager.start(new RunRequest("random", null, Map.of(), "standin:CartPole", Map.of(), 2, 100, 1, 0,
                    0, 0, 0, 1, "cpu"));
            RunStatus end = run.await(Duration.ofMinutes(1));
            assertThat(end.state()).isEqualTo(RunState.FINISHED);
            assertThat(end.step()).isEqualTo(100);
            // 10 calls step one simulator, the others two: 10 + 2 x 45 = 100 simulator steps in 55 calls
            assertThat(stepCalls.get()).isEqualTo(WAIT_CALLS + (100 - WAIT_CALLS) / 2);
        }
    }
}
