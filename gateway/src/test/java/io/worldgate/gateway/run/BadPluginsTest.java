package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad plugin gets a clear error, and a good plugin deployed beside it keeps working:
 * every test also runs the random agent and checks it goes on.
 */
class BadPluginsTest {
    @TempDir
    Path tmp;
    private HostFixture f;
    private TrainingRun healthy;

    @BeforeEach
    void startHostWithAHealthyRun() throws Exception {
        f = new HostFixture(tmp);
        TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
        await("random", 20, () -> f.host.bestFactory("random").isPresent());
        healthy = new TrainingRun(RunFixtures.endless("healthy", "random", tmp, Map.of()), f.host,
                EnvRegistry.withBuiltins(), new RunFixtures.Events()).start();
        await("healthy run", 20, () -> healthy.status().step() > 10);
    }

    @AfterEach
    void healthyRunWentOn() throws Exception {
        try {
            long before = healthy.status().step();
            await("healthy run still stepping", 20, () -> healthy.status().step() > before + 50);
            assertThat(healthy.status().state()).isEqualTo(RunState.RUNNING);
            assertThat(plugin("random.jar")).hasValueSatisfying(p -> assertThat(p.healthy()).isTrue());
        } finally {
            healthy.close();
            f.close();
        }
    }

    private Optional<PluginInfo> plugin(String file) {
        return f.host.plugins().stream().filter(p -> p.file().equals(file)).findFirst();
    }

    @Test
    void aFileThatIsNotAJarIsReported() throws Exception {
        Files.write(f.deploy.resolve("garbage.jar"), new byte[] {1, 2, 3, 4, 5});
        await("garbage reported", 20, () -> plugin("garbage.jar").isPresent());
        assertThat(plugin("garbage.jar").orElseThrow()).satisfies(p -> {
            assertThat(p.state()).isEqualTo("FAILED");
            assertThat(p.error()).startsWith("not a readable jar file");
        });
    }

    @Test
    void aJarThatIsNotABundleIsReported() throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(f.deploy.resolve("plain.jar")), m)) {
            out.closeEntry();
        }
        await("plain jar reported", 20, () -> plugin("plain.jar").map(p -> p.error() != null).orElse(false));
        assertThat(plugin("plain.jar").orElseThrow().error()).contains("not an OSGi bundle").contains("Bundle-SymbolicName");
    }

    @Test
    void aBundleWithAnUnresolvedImportIsReportedWithTheMissingPackage() throws Exception {
        TestBundles.build(f.deploy.resolve("unresolved.jar"), "test.unresolved", "1.0.0",
                "io.worldgate.gateway.testplugins.common",
                Map.of("Import-Package", "org.example.missing.tensors;version=\"[2,3)\",*"));
        await("unresolved reported", 20, () -> plugin("unresolved.jar").map(p -> p.error() != null).orElse(false));
        assertThat(plugin("unresolved.jar").orElseThrow()).satisfies(p -> {
            assertThat(p.state()).isEqualTo("INSTALLED");
            assertThat(p.error()).contains("cannot resolve").contains("org.example.missing.tensors");
        });
    }

    @Test
    void aComponentThatFailsToActivateIsReported() throws Exception {
        TestBundles.testPlugin(f.deploy.resolve("bad-activate.jar"), "badactivate", "1.0.0");
        // SCR tries the activation again when the service is asked for, so between two tries the
        // component shows no failure for a moment: judge the report that was seen
        java.util.concurrent.atomic.AtomicReference<String> error = new java.util.concurrent.atomic.AtomicReference<>();
        await("activation failure reported", 20, () -> plugin("bad-activate.jar").map(PluginInfo::error)
                .map(e -> { error.set(e); return true; }).orElse(false));
        assertThat(error.get()).contains("failed to activate").contains("license key missing");
    }

    @Test
    void aFactoryThatThrowsInCreatePausesOnlyItsRun() throws Exception {
        assertPausedWith("bad-create", "badcreate", "weights file /nonexistent/model.bin not found");
    }

    @Test
    void anAgentThatThrowsInActPausesOnlyItsRun() throws Exception {
        assertPausedWith("bad-act", "badact", "failed in act: ArithmeticException: division by zero in policy head");
    }

    @Test
    void anAgentReturningActionsOfTheWrongShapePausesOnlyItsRun() throws Exception {
        assertPausedWith("wrong-shape", "wrongshape", "returned invalid actions: expected shape [2], got [3]");
    }

    @Test
    void anErrorInsteadOfAnExceptionStillEndsOnlyItsRun() throws Exception {
        TestBundles.testPlugin(f.deploy.resolve("error-in-act.jar"), "errorinact", "1.0.0");
        await("error-in-act factory", 20, () -> f.host.bestFactory("error-in-act").isPresent());
        TrainingRun bad = new TrainingRun(RunFixtures.endless("error-in-act", "error-in-act", tmp, Map.of()), f.host,
                EnvRegistry.withBuiltins(), new RunFixtures.Events()).start();
        RunStatus end = bad.await(Duration.ofSeconds(30));
        assertThat(end.state()).as("the run ends instead of hanging").isEqualTo(RunState.FAILED);
        assertThat(end.message()).contains("internal error: NoClassDefFoundError: com/example/Gone");
    }

    private void assertPausedWith(String agent, String pkg, String expected) throws Exception {
        TestBundles.testPlugin(f.deploy.resolve(agent + ".jar"), pkg, "1.0.0");
        await(agent + " factory", 20, () -> f.host.bestFactory(agent).isPresent());
        RunFixtures.Events events = new RunFixtures.Events();
        TrainingRun bad = new TrainingRun(RunFixtures.endless(agent, agent, tmp, Map.of()), f.host, EnvRegistry.withBuiltins(),
                events).start();
        try {
            await(agent + " run paused", 20, () -> bad.status().state() == RunState.PAUSED && !events.of(RunEvent.RunPaused.class).isEmpty());
            assertThat(events.of(RunEvent.RunPaused.class)).last().satisfies(p -> {
                assertThat(p.reason()).isEqualTo(RunEvent.RunPaused.Reason.AGENT_FAILED);
                assertThat(p.agent()).isEqualTo(agent);
            });
            // what the user reads says what failed and what to do
            assertThat(bad.status().message()).contains(expected).contains("deploy a fixed version to resume");
        } finally {
            bad.stop();
            assertThat(bad.await(Duration.ofSeconds(20)).state()).isEqualTo(RunState.STOPPED);
        }
    }
}
