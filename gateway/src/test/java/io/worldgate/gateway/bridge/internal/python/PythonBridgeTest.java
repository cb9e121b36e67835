package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.awaitGone;
import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.fast;
import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.randomActions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Python families through the gateway: transports, batching, seeds, episode ids, and bad input. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PythonBridgeTest {

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    /** Observations of 12 random steps of 4 CartPole envs, concatenated. */
    private static float[] cartPoleTrace(BridgeConfig config) throws InterruptedException {
        List<Long> pids;
        float[] trace;
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("gym:CartPole-v1", 4, Map.of())) {
            assertThat(env.spec().actionSpace()).isEqualTo(new DiscreteSpace(2));
            assertThat(env.spec().numEnvs()).isEqualTo(4);
            assertThat(((BoxSpace) env.spec().observationSpace().get("state")).shape()).containsExactly(4);
            pids = env.workerPids();
            StepBatch b = env.reset(7);
            assertThat(b.isFirst()).containsOnly(true);
            SplittableRandom rng = new SplittableRandom(1);
            trace = new float[13 * 16];
            System.arraycopy(b.observations().get("state").toFloatArray(), 0, trace, 0, 16);
            for (int t = 1; t <= 12; t++) {
                b = env.step(randomActions(env.spec(), rng));
                System.arraycopy(b.observations().get("state").toFloatArray(), 0, trace, t * 16, 16);
            }
        }
        for (long pid : pids) {
            assertThat(awaitGone(pid, Duration.ofSeconds(5))).as("worker %d ended with the env", pid).isTrue();
        }
        return trace;
    }

    @Test
    void everyTransportAndWorkerSplitSeesTheSameEnvs() throws Exception {
        // Env i is seeded with seed + i whichever worker hosts it, so the split and the transport
        // change nothing.
        float[] reference = cartPoleTrace(fast(1, Transport.GRPC));
        assertThat(cartPoleTrace(fast(2, Transport.GRPC))).containsExactly(reference);
        assertThat(cartPoleTrace(fast(2, Transport.GRPC_SHM))).containsExactly(reference);
        assertThat(cartPoleTrace(fast(4, Transport.PY4J))).containsExactly(reference);
        assertThat(cartPoleTrace(fast(2, Transport.SHM))).containsExactly(reference);
    }

    @Test
    void episodesEndWithTheirFinalObservationAndRestartWithNewIds() {
        try (VectorEnv env = EnvRegistry.withBuiltins(fast(2, Transport.GRPC_SHM)).create("const:2?image=8", 3,
                Map.of("length", "3"))) {
            assertThat(env.spec().observationSpace().spaces().keySet()).containsExactly("image", "state");
            assertThat(((BoxSpace) env.spec().observationSpace().get("image")).dtype()).isEqualTo(DType.UINT8);
            StepBatch b = env.reset(0);
            Set<Long> ids = new HashSet<>();
            for (long id : b.episodeIds()) {
                assertThat(ids.add(id)).isTrue();
            }
            assertThat(b.observations().get("image").shape()).containsExactly(3, 8, 8, 3);
            Tensor a = Tensor.ofFloats(new float[] {0.5f, -0.5f, 1f}, 3, 1);
            long[] first = b.episodeIds();
            for (int t = 1; t <= 3; t++) {
                b = env.step(a);
                assertThat(b.isFirst()).containsOnly(false);
                assertThat(b.episodeIds()).containsExactly(first);
                assertThat(b.truncated()).containsOnly(t == 3);
                assertThat(b.terminated()).containsOnly(false);
            }
            b = env.step(a);
            assertThat(b.isFirst()).containsOnly(true);
            assertThat(b.rewards()).containsOnly(0f);
            for (long id : b.episodeIds()) {
                assertThat(ids.add(id)).as("episode ids are new and unique").isTrue();
            }
        }
    }

    @Test
    void badActionsAreRejectedBeforeAnyEnvSteps() {
        try (VectorEnv env = EnvRegistry.withBuiltins(fast(2, Transport.GRPC)).create("const:1", 2, Map.of("length", "4"))) {
            assertThatThrownBy(() -> env.step(Tensor.ofFloats(new float[] {0, 0}, 2, 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("reset");
            env.reset(0);
            Tensor good = Tensor.ofFloats(new float[] {0.1f, 0.2f}, 2, 1);
            env.step(good);
            assertThatThrownBy(() -> env.step(Tensor.ofFloats(new float[] {0.1f, 0.2f}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape").hasMessageContaining("const:1");
            assertThatThrownBy(() -> env.step(Tensor.ofInts(new int[] {0, 1}, 2, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INT32");
            assertThatThrownBy(() -> env.step(Tensor.ofFloats(new float[] {0.1f, 1.5f}, 2, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
            assertThatThrownBy(() -> env.step(Tensor.ofFloats(new float[] {Float.NaN, 0}, 2, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            // Nothing was stepped: the 4-step episode still ends at the 4th good step.
            assertThat(env.step(good).truncated()).containsOnly(false);
            assertThat(env.step(good).truncated()).containsOnly(false);
            assertThat(env.step(good).truncated()).containsOnly(true);
        }
        try (VectorEnv env = EnvRegistry.withBuiltins(fast(1, Transport.PY4J)).create("gym:CartPole-v1", 1, Map.of())) {
            env.reset(0);
            assertThatThrownBy(() -> env.step(Tensor.ofInts(new int[] {2}, 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside 0..1");
            env.step(Tensor.ofInts(new int[] {1}, 1));
        }
    }

    @Test
    void unknownIdsNameTheKnownFamiliesOrTheWorkersReason() {
        EnvRegistry r = EnvRegistry.withBuiltins(fast(1, Transport.GRPC));
        assertThatThrownBy(() -> r.create("mujoco:Ant", 1, Map.of())).isInstanceOf(EnvException.class)
                .hasMessageContaining("unknown environment 'mujoco:Ant'")
                .hasMessageContaining("dmc").hasMessageContaining("atari").hasMessageContaining("metaworld")
                .hasMessageContaining("gym").hasMessageContaining("const").hasMessageContaining("java");
        assertThatThrownBy(() -> r.create("gym:NoSuchEnv-v0", 2, Map.of())).isInstanceOf(EnvException.class)
                .hasMessageContaining("NoSuchEnv");
        assertThatThrownBy(() -> r.create("const:4", 1, Map.of("colour", "red"))).isInstanceOf(EnvException.class)
                .hasMessageContaining("colour").hasMessageContaining("length");
        assertThat(ProcessGroups.live()).isEmpty();
    }

    @Test
    void aMissingPythonOrPackageSaysHowToInstallIt(@TempDir Path tmp) throws Exception {
        EnvRegistry noVenv = EnvRegistry.withBuiltins(fast(1, Transport.GRPC).withPython(tmp.resolve("nowhere/.venv/bin/python")));
        assertThatThrownBy(() -> noVenv.create("gym:CartPole-v1", 1, Map.of())).isInstanceOf(EnvException.class)
                .hasMessageContaining("nowhere/.venv/bin/python").hasMessageContaining("does not exist")
                .hasMessageContaining("env-bridge-python/install.sh").hasMessageContaining("./worldgate test");

        // A Python without worldgate_envs: an empty venv-like interpreter wrapper.
        Path bare = tmp.resolve("bare-python");
        Files.writeString(bare, "#!/bin/sh\nexport PYTHONPATH=\nexec /usr/bin/env -i /usr/bin/python3 -S \"$@\"\n");
        bare.toFile().setExecutable(true);
        assertThatThrownBy(() -> EnvRegistry.withBuiltins(fast(1, Transport.GRPC).withPython(bare)).create("gym:CartPole-v1", 1,
                Map.of())).isInstanceOf(EnvException.class).hasMessageContaining("worldgate_envs")
                .hasMessageContaining("install.sh");

        // A simulator package that cannot be imported: a stand-in ale_py that fails on import.
        Path shadow = tmp.resolve("shadow/ale_py");
        Files.createDirectories(shadow);
        Files.writeString(shadow.resolve("__init__.py"), "raise ImportError('ale_py hidden by the test')\n");
        EnvRegistry hidden = EnvRegistry.withBuiltins(fast(1, Transport.GRPC)
                .withWorkerEnvironment(Map.of("PYTHONPATH", tmp.resolve("shadow") + inheritedPythonPath())));
        assertThatThrownBy(() -> hidden.create("atari:Pong", 1, Map.of())).isInstanceOf(EnvException.class)
                .hasMessageContaining("ale-py").hasMessageContaining("./worldgate test");
    }

    /** The test's own Python path after a separator (this checkout's worldgate_envs, which lists the families), or nothing. */
    private static String inheritedPythonPath() {
        String p = System.getenv("PYTHONPATH");
        return p == null || p.isBlank() ? "" : java.io.File.pathSeparator + p;
    }

    @Test
    void connectsToAWorkerStartedByTheUser() throws Exception {
        Path python = PythonLocator.locate(null);
        Process p = new ProcessBuilder(python.toString(), "-m", "worldgate_envs", "serve", "--env", "gym:CartPole-v1",
                "--num-envs", "2", "--listen", "127.0.0.1:0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith(WorkerProcess.HANDSHAKE_PREFIX);
            String address = WorkerProcess.parseHandshake(line.substring(WorkerProcess.HANDSHAKE_PREFIX.length())).address();
            BridgeConfig remote = fast(0, Transport.GRPC).withRemoteWorkers(List.of(address));
            assertThatThrownBy(() -> EnvRegistry.withBuiltins(remote).create("gym:CartPole-v1", 3, Map.of()))
                    .isInstanceOf(EnvException.class).hasMessageContaining("host 2 envs").hasMessageContaining("--envs 2");
            List<float[]> remoteObs = new ArrayList<>();
            try (VectorEnv env = EnvRegistry.withBuiltins(remote).create("gym:CartPole-v1", 2, Map.of())) {
                assertThat(env.spec().properties()).containsEntry("bridge.transport", "grpc (remote)");
                remoteObs.add(env.reset(3).observations().get("state").toFloatArray());
                remoteObs.add(env.step(Tensor.ofInts(new int[] {0, 1}, 2)).observations().get("state").toFloatArray());
            }
            assertThat(p.isAlive()).as("a remote worker is not ours to stop").isTrue();
            try (VectorEnv env = EnvRegistry.withBuiltins(fast(1, Transport.GRPC_SHM)).create("gym:CartPole-v1", 2, Map.of())) {
                assertThat(env.reset(3).observations().get("state").toFloatArray()).containsExactly(remoteObs.get(0));
                assertThat(env.step(Tensor.ofInts(new int[] {0, 1}, 2)).observations().get("state").toFloatArray())
                        .containsExactly(remoteObs.get(1));
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
