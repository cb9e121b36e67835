package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.randomActions;
import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.nio.file.Files;
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

/** A Python env whose observations hold no image is drawn by its worker's own camera, for evaluation videos. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RenderFrameTest {
    private static final Map<String, String> STATE_SMALL_FRAMES = Map.of("obs", "state", "render_size", "40");

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    @Test
    void eachEnvIsDrawnByTheWorkerThatHostsIt() {
        for (Transport transport : new Transport[] {Transport.GRPC, Transport.PY4J, Transport.SHM}) {
            BridgeConfig config = BridgeTestSupport.fast(2, transport);
            // two workers of one env each: env 1 must be asked of the second worker as its env 0
            try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("dmc:cartpole-swingup", 2,
                    STATE_SMALL_FRAMES)) {
                assertThat(env.renderFrame(0)).as("%s before reset", transport).isEmpty();
                env.reset(5);
                SplittableRandom rng = new SplittableRandom(5);
                for (int t = 0; t < 10; t++) {
                    env.step(randomActions(env.spec(), rng));
                }
                for (int i = 0; i < 2; i++) {
                    Tensor frame = env.renderFrame(i).orElseThrow(() -> new AssertionError(transport + ": no frame"));
                    assertThat(frame.shape()).as(transport.toString()).containsExactly(40, 40, 3);
                    assertThat(distinctBytes(frame)).as("%s env %d: a picture, not a blank", transport, i).isGreaterThan(10);
                }
                // drawing did not disturb the session: stepping goes on
                assertThat(env.step(randomActions(env.spec(), rng)).rewards()).hasSize(2);
                assertThat(env.restarts()).containsExactly(0, 0);
                assertThatThrownBy(() -> env.renderFrame(2)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("outside 0..1");
            }
        }
    }

    @Test
    void aCameraThatHangsIsGivenUpAndItsWorkerRestartedAtTheNextStep() {
        for (Transport transport : new Transport[] {Transport.GRPC, Transport.PY4J, Transport.SHM}) {
            BridgeConfig config = BridgeTestSupport.fast(1, transport).withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(2));
            try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("const:4", 2,
                    Map.of("render_hang", "true"))) {
                env.reset(1);
                long pid = env.workerPids().get(0);
                Tensor still = Tensor.ofFloats(new float[2], 2, 1);
                env.step(still);
                assertThat(env.renderFrame(0)).as("%s: the render timed out", transport).isEmpty();
                StepBatch cut = env.step(still);
                assertThat(env.restarts()).as(transport.toString()).containsExactly(1);
                assertThat(env.workerPids().get(0)).isNotEqualTo(pid);
                assertThat(cut.truncated()).as("the restart cut both episodes").containsExactly(true, true);
                assertThat(env.step(still).isFirst()).as("and new ones began").containsExactly(true, true);
                assertThat(env.renderFrame(1)).as("no frames are asked for again").isEmpty();
                assertThat(env.restarts()).containsExactly(1);
            }
        }
    }

    private static long distinctBytes(Tensor t) {
        boolean[] seen = new boolean[256];
        java.nio.ByteBuffer b = t.buffer().duplicate();
        long distinct = 0;
        while (b.hasRemaining()) {
            int v = b.get() & 0xff;
            if (!seen[v]) {
                seen[v] = true;
                distinct++;
            }
        }
        return distinct;
    }

    @Test
    void aRunFromStateWritesAnEvaluationVideo(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("random", 60, () -> f.host.bestFactory("random").isPresent());
            // 20 control steps at action repeat 1: 20-step episodes; one evaluation at the end
            Map<String, String> options = Map.of("obs", "state", "render_size", "32", "episode_steps", "20", "action_repeat", "1");
            Path dir = tmp.resolve("runs").resolve("dmc");
            RunConfig config = new RunConfig("dmc", "random", null, Map.of(), "dmc:cartpole-swingup", options, 1, 40, 1,
                    0, 0, 0, 40, 1, dir, "cpu");
            io.worldgate.gateway.run.RunFixtures.Events listener = new io.worldgate.gateway.run.RunFixtures.Events();
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(BridgeTestSupport.fast(1,
                    Transport.GRPC_SHM)), listener).start();
            assertThat(run.await(Duration.ofSeconds(180)).state()).isEqualTo(RunState.FINISHED);
            Path video = dir.resolve("videos").resolve("eval-step40.gif");
            assertThat(listener.of(io.worldgate.gateway.run.RunEvent.EvaluationVideoWritten.class)).as("the run's events")
                    .singleElement().satisfies(v -> assertThat(dir.resolve(v.path())).isEqualTo(video));
            byte[] gif = Files.readAllBytes(video);
            assertThat(new String(gif, 0, 6, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GIF89a");
            assertThat(gif[6] & 0xff | (gif[7] & 0xff) << 8).as("width").isEqualTo(32);
            assertThat(gif[8] & 0xff | (gif[9] & 0xff) << 8).as("height").isEqualTo(32);
        }
    }
}
