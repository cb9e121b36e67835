package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swapping the random plugin in a running loop on a real Felix: v1 -> v2 -> jar removed -> jar
 * back. The step counter goes on across swaps, the checkpoint is handed over, the replaced
 * revision's class loader can be collected, and the run pauses rather than fails without a plugin.
 */
class HotSwapTest {

    @Test
    void swapsRemovesAndRestoresThePluginWhileTheLoopRuns(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Path jar = f.deploy.resolve("random.jar");
            TestBundles.withVersion(TestBundles.randomPlugin(), jar, "1.0.0");
            await("random 1.0.0", 20, () -> f.host.bestFactory("random").isPresent());

            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(RunFixtures.endless("swap", "random", tmp, Map.of("act_delay_ms", "1")),
                    f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("steps with v1", 20, () -> run.status().step() > 100);
                assertThat(run.status().agent()).isEqualTo("random@1.0.0");
                WeakReference<ClassLoader> v1Loader = run.agentClassLoader();
                assertThat(v1Loader.get()).isNotNull();

                // v2 replaces the jar: FileInstall updates the bundle and refreshes it.
                TestBundles.withVersion(TestBundles.randomPlugin(), jar, "2.0.0");
                await("swap to 2.0.0", 90, () -> "random@2.0.0".equals(run.status().agent()));
                long atSwap = run.status().step();
                await("steps with v2", 20, () -> run.status().step() > atSwap + 100);
                assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
                assertThat(events.of(RunEvent.AgentSwapped.class)).as(events.events.toString()).singleElement().satisfies(s -> {
                    assertThat(s.from()).isEqualTo("random@1.0.0");
                    assertThat(s.to()).isEqualTo("random@2.0.0");
                    assertThat(s.cause()).isEqualTo(RunEvent.AgentSwapped.Cause.PLUGIN_REPLACED);
                    assertThat(s.checkpointLoaded()).isTrue();
                    assertThat(s.step()).isPositive().isLessThanOrEqualTo(atSwap);
                });
                // v1 was checkpointed as it left, and v2 took over from that checkpoint
                RunEvent.CheckpointWritten handedOver = events.of(RunEvent.CheckpointWritten.class).stream()
                        .filter(c -> c.agent().equals("random@1.0.0")).reduce((a, b) -> b).orElseThrow();
                assertThat(events.of(RunEvent.AgentCreated.class)).filteredOn(c -> c.agent().equals("random@2.0.0"))
                        .singleElement().satisfies(c -> assertThat(c.checkpoint()).isEqualTo(handedOver.directory()));
                // the moment between the old bundle's stop and the new one's start is not reported as a pause
                assertThat(events.of(RunEvent.RunPaused.class)).as(events.events.toString()).isEmpty();
                assertThat(run.lastCheckpoint()).hasValueSatisfying(cp ->
                        assertThat(cp.resolve("random-agent.txt")).exists());

                // Nothing of the host keeps the old revision alive: its class loader is collected.
                await("v1 class loader collected", 60, () -> {
                    System.gc();
                    return v1Loader.get() == null;
                });

                // Removing the jar pauses the run with a clear status; the step counter stops.
                Files.delete(jar);
                await("pause", 90, () -> run.status().state() == RunState.PAUSED);
                assertThat(events.of(RunEvent.RunPaused.class)).singleElement().satisfies(p -> {
                    assertThat(p.reason()).isEqualTo(RunEvent.RunPaused.Reason.NO_PLUGIN);
                    assertThat(p.agent()).isEqualTo("random");
                });
                long paused = run.status().step();
                Thread.sleep(500);
                assertThat(run.status().step()).isEqualTo(paused);

                // Putting it back resumes the same run, from the checkpoint, counting on.
                TestBundles.withVersion(TestBundles.randomPlugin(), jar, "2.0.0");
                await("resume", 90, () -> run.status().state() == RunState.RUNNING && run.status().step() > paused + 100);
                assertThat(run.status().agent()).isEqualTo("random@2.0.0");
                assertThat(events.of(RunEvent.RunResumed.class)).singleElement()
                        .satisfies(r -> assertThat(r.step()).isEqualTo(paused));
                assertThat(events.of(RunEvent.AgentCreated.class)).last().satisfies(c -> {
                    assertThat(c.agent()).isEqualTo("random@2.0.0");
                    assertThat(c.checkpointLoaded()).isTrue();
                });
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(30));
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
                events.events.forEach(System.out::println);
            }
        }
    }

    @Test
    void aHigherVersionDeployedBesideTheOldOneTakesOver(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random-1.jar"), "1.0.0");
            await("random 1.0.0", 20, () -> f.host.bestFactory("random").isPresent());
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(RunFixtures.endless("side", "random", tmp, Map.of()), f.host,
                    EnvRegistry.withBuiltins(), events).start();
            try {
                await("steps with v1", 20, () -> run.status().step() > 100);
                TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random-3.jar"), "3.0.0");
                await("swap to 3.0.0", 90, () -> "random@3.0.0".equals(run.status().agent()));
                assertThat(events.of(RunEvent.AgentSwapped.class)).singleElement().satisfies(s -> {
                    assertThat(s.to()).isEqualTo("random@3.0.0");
                    assertThat(s.cause()).isEqualTo(RunEvent.AgentSwapped.Cause.NEWER_VERSION_DEPLOYED);
                });
                // Removing the older one does not disturb the run.
                Files.delete(f.deploy.resolve("random-1.jar"));
                long at = run.status().step();
                await("still running on 3.0.0", 20, () -> run.status().step() > at + 100);
                assertThat(run.status().agent()).isEqualTo("random@3.0.0");
            } finally {
                run.close();
            }
        }
    }
}
