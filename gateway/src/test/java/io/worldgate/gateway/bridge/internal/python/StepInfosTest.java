package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.randomActions;
import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunScalars;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Meta-World's success flag travels from the worker to the run's metrics, over both transports. */
@Timeout(value = 360, unit = TimeUnit.SECONDS)
class StepInfosTest {
    private static final Map<String, String> STATE_ONLY = Map.of("obs", "state");

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    @Test
    void everyStepCarriesTheSuccessFlagOfEachEnv() {
        for (Transport transport : new Transport[] {Transport.GRPC, Transport.PY4J}) {
            BridgeConfig config = BridgeTestSupport.fast(2, transport);
            try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("metaworld:reach-v3", 3,
                    STATE_ONLY)) {
                env.reset(3);
                assertThat(env.lastInfos()).as("%s after reset", transport).containsOnlyKeys("success");
                SplittableRandom rng = new SplittableRandom(3);
                for (int t = 0; t < 5; t++) {
                    StepBatch b = env.step(randomActions(env.spec(), rng));
                    assertThat(b.observations().contains("success")).as("not an observation").isFalse();
                    float[] success = env.lastInfos().get("success");
                    assertThat(success).as(transport.toString()).hasSize(3);
                    for (float v : success) {
                        assertThat(v).isIn(0f, 1f);
                    }
                }
            }
        }
    }

    @Test
    void aRunReportsWhetherEachEpisodeSucceededAndItsEvaluationsTheSuccessRate(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("random", 60, () -> f.host.bestFactory("random").isPresent());
            // two envs, 500-step episodes: 1,000 steps end exactly one episode in each; then one
            // evaluation of 2 episodes, one on each of its 2 envs
            RunConfig config = new RunConfig("mw", "random", null, Map.of(), "metaworld:reach-v3", STATE_ONLY, 2, 1_000, 5,
                    0, 0, 0, 1_000, 2, tmp.resolve("runs").resolve("mw"), "cpu");
            List<String> scalars = new CopyOnWriteArrayList<>();
            List<Double> evalSuccess = new CopyOnWriteArrayList<>();
            List<RunEvent.EvaluationFinished> evaluations = new CopyOnWriteArrayList<>();
            RunListener listener = new RunListener() {
                @Override
                public void onScalar(String tag, double value, long step) {
                    if (tag.startsWith("episode/")) {
                        scalars.add(tag + "=" + value);
                    } else if (tag.equals(RunScalars.evalInfo("success"))) {
                        evalSuccess.add(value);
                    }
                }

                @Override
                public void onEvent(RunStatus status, RunEvent event) {
                    if (event instanceof RunEvent.EvaluationFinished e) {
                        evaluations.add(e);
                    }
                }
            };
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(BridgeTestSupport.fast(1,
                    Transport.GRPC_SHM)), listener).start();
            assertThat(run.await(Duration.ofSeconds(240)).state()).isEqualTo(RunState.FINISHED);
            List<String> success = scalars.stream().filter(s -> s.startsWith("episode/success=")).toList();
            assertThat(success).as("%s", scalars).hasSize(2)
                    .allMatch(s -> s.equals("episode/success=0.0") || s.equals("episode/success=1.0"));
            assertThat(scalars.stream().filter(s -> s.startsWith("episode/return="))).hasSize(2);
            assertThat(evaluations).hasSize(1);
            RunEvent.EvaluationFinished evaluation = evaluations.get(0);
            assertThat(evaluation.episodes()).isEqualTo(2);
            assertThat(evaluation.meanInfos()).containsOnlyKeys("success");
            // the fraction of the 2 episodes that succeeded at some step
            assertThat(evaluation.meanInfos().get("success")).isIn(0.0, 0.5, 1.0);
            assertThat(evalSuccess).containsExactly(evaluation.meanInfos().get("success"));
        }
    }
}
