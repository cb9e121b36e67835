package io.worldgate.gateway.service.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose status file says it runs is listed as running while another process has its
 * experience open, and as stopped (resumable) once that process is gone; a probe from this
 * process never takes the lock away from a store this process holds.
 */
class StoredRunsLiveTest {
    /** Locks the file named by its first argument, says so, and holds it until killed ("stay") or for that many ms. */
    private static final String HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;
            public class Holder {
                public static void main(String[] a) throws Exception {
                    FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    System.out.println(c.tryLock() != null ? "locked" : "busy");
                    System.out.flush();
                    if (a.length > 1) {
                        Thread.sleep(a[1].equals("stay") ? 600_000 : Long.parseLong(a[1]));
                    }
                }
            }
            """;

    @TempDir
    Path runs;

    @Test
    void aRunAliveInAnotherProcessIsListedRunningAndStoppedOnceThatProcessDies() throws Exception {
        RunDirectory dir = runningRun("elsewhere");
        Process holder = startHolder(dir.root().resolve("experience").resolve("lock"), "stay");
        try {
            assertThat(readLine(holder)).isEqualTo("locked");
            RunStatus live = new StoredRuns(runs).statusesExcept(Set.of()).get(0);
            assertThat(live.state()).isEqualTo(RunState.RUNNING);
            assertThat(live.step()).isEqualTo(1234);
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        RunStatus after = new StoredRuns(runs).statusesExcept(Set.of()).get(0);
        assertThat(after.state()).isEqualTo(RunState.STOPPED);
    }

    @Test
    void probingARunThisProcessHoldsKeepsItsLock() throws Exception {
        RunDirectory dir = runningRun("here");
        Path experience = dir.root().resolve("experience");
        try (ExperienceStore store = ExperienceStore.inRunDirectory(dir.root(), spec(), 1 << 20)) {
            assertThat(new StoredRuns(runs).statusesExcept(Set.of()).get(0).state()).isEqualTo(RunState.RUNNING);
            assertThat(dir.isOpen()).isTrue();
            // had the probe opened and closed the lock file, the system would have dropped this process's lock
            Process other = startHolder(experience.resolve("lock"), null);
            assertThat(readLine(other)).isEqualTo("busy");
            other.waitFor(60, TimeUnit.SECONDS);
        }
        assertThat(dir.isOpen()).isFalse();
    }

    private RunDirectory runningRun(String id) throws Exception {
        Path root = runs.resolve(id);
        Files.createDirectories(root.resolve("experience"));
        RunDirectory dir = new RunDirectory(root);
        AgentDescriptor d = new AgentDescriptor("random", "", EnumSet.allOf(ActionKind.class), Set.of(), List.of(), Map.of(), null);
        dir.writeConfig(new RunConfig(id, "random", null, Map.of(), "java:CartPole", Map.of(), 1, 10_000, 0, 0, 0, 0, 0, 1, root,
                "cpu"), AgentConfig.resolve(d, null, Map.of()));
        dir.writeStatus(new RunStatus(id, RunState.RUNNING, "running", "random@1.0.0", 1234, 10_000, 3, Double.NaN, 0, 0), "running");
        return dir;
    }

    @Test
    void aRunStartsWhileAnotherProcessBrieflyHoldsItsLockAsAProbeDoes() throws Exception {
        RunDirectory dir = runningRun("probed");
        Process prober = startHolder(dir.root().resolve("experience").resolve("lock"), "100");
        try {
            assertThat(readLine(prober)).isEqualTo("locked");
            // a probe from `runs list` in another process holds the lock for an instant: opening waits it out
            try (ExperienceStore store = ExperienceStore.inRunDirectory(dir.root(), spec(), 1 << 20)) {
                assertThat(dir.isOpen()).isTrue();
            }
        } finally {
            prober.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static EnvSpec spec() {
        return new EnvSpec("test:none", new DictSpace(Map.of("state", BoxSpace.uniform(DType.FLOAT32, -1, 1, 2))),
                new DiscreteSpace(2), 1, 0, Map.of());
    }

    private Process startHolder(Path lockFile, String hold) throws Exception {
        Path source = runs.resolve("Holder.java");
        Files.writeString(source, HOLDER);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = hold == null ? List.of(java, source.toString(), lockFile.toString())
                : List.of(java, source.toString(), lockFile.toString(), hold);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String readLine(Process p) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return in.readLine();
    }
}
