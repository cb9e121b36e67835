package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.awaitGone;
import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.fast;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.bridge.EnvWorkerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real workers that die, hang or raise: restarted, episodes cut as truncated, the run goes on; then the limit. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SupervisionTest {

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    private static PythonVectorEnv open(String id, int n, BridgeConfig config) {
        return (PythonVectorEnv) EnvRegistry.withBuiltins(config).create(id, n, Map.of());
    }

    private static Tensor zeros(int n) {
        return Tensor.ofFloats(new float[n], n, 1);
    }

    /** The step after a failure: the failed worker's envs are cut (truncated), then start over with new ids. */
    private static void assertCutThenRestarted(PythonVectorEnv env, int from, int to, StepBatch before) {
        int n = env.spec().numEnvs();
        StepBatch cut = env.step(zeros(n));
        for (int i = 0; i < n; i++) {
            boolean failed = i >= from && i < to;
            assertThat(cut.truncated()[i]).as("env %d truncated", i).isEqualTo(failed);
            assertThat(cut.isFirst()[i]).as("env %d first", i).isFalse();
            assertThat(cut.episodeIds()[i]).isEqualTo(before.episodeIds()[i]);
        }
        StepBatch next = env.step(zeros(n));
        for (int i = 0; i < n; i++) {
            boolean failed = i >= from && i < to;
            assertThat(next.isFirst()[i]).as("env %d first after the restart", i).isEqualTo(failed);
            if (failed) {
                assertThat(next.episodeIds()[i]).isNotEqualTo(before.episodeIds()[i]);
                assertThat(next.rewards()[i]).isZero();
            }
        }
    }

    /** Steps while the restarted worker's envs wait (stand-in rows), until their new episodes' first observations. */
    private static void awaitBack(PythonVectorEnv env, int n) {
        for (int t = 0; t < 1000 && env.waiting(0); t++) {
            StepBatch b = env.step(zeros(n));
            assertThat(b.isFirst()[0]).isTrue();
        }
        assertThat(env.waiting(0)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC_SHM", "SHM"})
    void aKilledWorkerIsRestartedAndItsEpisodesAreCut(Transport transport) throws Exception {
        List<Long> pids;
        try (PythonVectorEnv env = open("const:2", 4, fast(2, transport))) {
            StepBatch b = env.reset(0);
            for (int t = 0; t < 3; t++) {
                b = env.step(zeros(4));
            }
            long victim = env.workerPids().get(1);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            assertThat(awaitGone(victim, Duration.ofSeconds(5))).isTrue();
            assertCutThenRestarted(env, 2, 4, b);
            assertThat(env.restarts()).containsExactly(0, 1);
            assertThat(env.workerPids().get(1)).isNotEqualTo(victim);
            for (int t = 0; t < 3; t++) {
                env.step(zeros(4));
            }
            pids = env.workerPids();
        }
        for (long pid : pids) {
            assertThat(awaitGone(pid, Duration.ofSeconds(5))).isTrue();
        }
        assertThat(ProcessGroups.live()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC_SHM", "SHM"})
    void aWorkerThatFailsDuringResetIsRestartedAndItsEnvsStartThere(Transport transport) throws Exception {
        try (PythonVectorEnv env = open("const:2", 4, fast(2, transport))) {
            env.reset(0);
            env.step(zeros(4));
            long victim = env.workerPids().get(1);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            assertThat(awaitGone(victim, Duration.ofSeconds(5))).isTrue();
            // the reset is the first call to reach the dead worker: its replacement's first observations stand in
            StepBatch b = env.reset(7);
            assertThat(b.isFirst()).containsExactly(true, true, true, true);
            assertThat(env.restarts()).containsExactly(0, 1);
            assertThat(env.workerPids().get(1)).isNotEqualTo(victim);
            b = env.step(zeros(4));
            assertThat(b.isFirst()).containsExactly(false, false, false, false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC", "SHM"})
    void aHangingWorkerIsKilledAtTheDeadline(Transport transport) throws Exception {
        BridgeConfig config = fast(1, transport).withTimeouts(Duration.ofSeconds(60), Duration.ofMillis(1500));
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("const:2", 2,
                Map.of("hang_at", "3"))) {
            StepBatch b = env.reset(0);
            b = env.step(zeros(2));
            b = env.step(zeros(2));
            long hung = env.workerPids().get(0);
            long start = System.nanoTime();
            assertCutThenRestarted(env, 0, 2, b);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(awaitGone(hung, Duration.ofSeconds(5))).as("the hung worker was killed").isTrue();
            env.step(zeros(2)); // step 1 of the new episodes works (the new worker hangs only at step 3)
        }
    }

    @Test
    void aCrashingPy4jWorkerIsRestartedToo() throws Exception {
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(fast(1, Transport.PY4J)).create("const:2", 2,
                Map.of("crash_at", "2"))) {
            StepBatch b = env.reset(0);
            b = env.step(zeros(2));
            long crashed = env.workerPids().get(0);
            assertCutThenRestarted(env, 0, 2, b);
            assertThat(awaitGone(crashed, Duration.ofSeconds(5))).isTrue();
            assertThat(env.restarts()).containsExactly(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC_SHM", "SHM"})
    void aRaisingEnvIsRestartedUntilTheLimitThenTheTracebackComesBack(Transport transport) throws Exception {
        BridgeConfig config = fast(1, transport).withFailurePolicy(3, Duration.ofSeconds(60), Duration.ofMillis(20),
                Duration.ofMillis(100));
        List<Long> pids = new ArrayList<>();
        try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(config).create("const:2", 1,
                Map.of("fail_at", "2"))) {
            StepBatch b = env.reset(0);
            b = env.step(zeros(1));
            pids.addAll(env.workerPids());
            assertCutThenRestarted(env, 0, 1, b); // failure 1
            awaitBack(env, 1);                     // the new episode is at step 0
            b = env.step(zeros(1));                // step 1 of the new episode
            pids.addAll(env.workerPids());
            assertCutThenRestarted(env, 0, 1, b); // failure 2
            awaitBack(env, 1);
            env.step(zeros(1));
            pids.addAll(env.workerPids());
            assertThatThrownBy(() -> env.step(zeros(1)))     // failure 3: the limit
                    .isInstanceOfSatisfying(EnvWorkerException.class, e -> {
                        assertThat(e.envId()).isEqualTo("const:2");
                        assertThat(e.getMessage()).contains("const:2").contains("3 times within 60 s").contains("InjectedFailure");
                        assertThat(e.pythonTraceback()).contains("Traceback (most recent call last)").contains("fail_at");
                    });
            assertThatThrownBy(() -> env.step(zeros(1))).isInstanceOf(EnvWorkerException.class);
        }
        for (long pid : pids) {
            assertThat(awaitGone(pid, Duration.ofSeconds(5))).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"GRPC_SHM", "SHM"})
    void workersExitWhenTheJvmThatStartedThemIsKilled(Transport transport) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-D" + PythonLocator.PROPERTY + "=" + PythonLocator.locate(null), OrphanProbe.class.getName(), transport.label())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> pids = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
                // skip
            }
            assertThat(line).as("the child JVM printed its workers' pids").isNotNull();
            for (String p : line.substring(5).trim().split(" ")) {
                pids.add(Long.parseLong(p));
            }
            assertThat(pids).hasSize(2).allSatisfy(p -> assertThat(ProcessGroups.isRunning(p)).isTrue());
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (long pid : pids) {
                // the worker's own bound is its orphan grace (2 s) after the watchdog's next look;
                // the rest is room for a loaded machine
                assertThat(awaitGone(pid, Duration.ofSeconds(10)))
                        .as("orphaned worker %d exits by itself (%s)", pid, procStatus(pid)).isTrue();
            }
        } finally {
            child.destroyForcibly();
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The State and Threads lines of /proc/PID/status, for a failure message. */
    private static String procStatus(long pid) {
        try {
            return String.join("; ", Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("State:") || l.startsWith("Threads:")).toList());
        } catch (IOException e) {
            return "no /proc entry";
        }
    }

    /** A child JVM that starts two workers, prints their pids and waits to be killed. */
    public static final class OrphanProbe {
        public static void main(String[] args) throws Exception {
            PythonVectorEnv env = open("const:2", 2, fast(2, Transport.parse(args[0])));
            env.reset(0);
            StringBuilder sb = new StringBuilder("PIDS");
            for (long pid : env.workerPids()) {
                sb.append(' ').append(pid);
            }
            System.out.println(sb);
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
