package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.service.RunManager;
import io.worldgate.gateway.service.RunRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner whose plugin is removed mid-run: the run checkpoints and stops instead of going on with
 * an object of a stopped bundle, and resumes from that checkpoint once the plugin is back.
 */
class LearnerPluginGoesTest {

    @Test
    void aLearnerRunCheckpointsAndStopsWhenItsPluginGoesAndResumesWhenItIsBack(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Files.copy(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"));
            Path jar = f.deploy.resolve("framestats.jar");
            Files.copy(TestBundles.framestatsPlugin(), jar);
            await("random and framestats", 60, () -> f.host.bestFactory("random").isPresent()
                    && f.host.learners().best("framestats").isPresent());
            Path runs = tmp.resolve("runs");
            String source;
            try (RunManager manager = new RunManager(f.host, EnvRegistry.withBuiltins(), runs, new MetricsRegistry())) {
                TrainingRun run = manager.start(new RunRequest("random", null, Map.of(), "java:CartPole", Map.of(), 1, 500, 1,
                        0, 0, 0, 0, 1, "cpu"));
                assertThat(run.await(Duration.ofMinutes(1)).state()).isEqualTo(RunState.FINISHED);
                source = run.config().runId();
            }
            long firstService = f.host.learners().best("framestats").orElseThrow().serviceId();
            LearnerRun learner = LearnerRun.create(f.host, runs, new LearnerRun.Request("framestats", null,
                    Map.of("batch", "1"), source, 100_000_000, 0, "cpu", 1_000_000, 3));
            AtomicBoolean removed = new AtomicBoolean();
            RunFixtures.Events events = new RunFixtures.Events();
            RunStatus stopped = learner.run(new RunListener() {
                @Override
                public void onScalar(String tag, double value, long step) {
                    if (step == 100 && removed.compareAndSet(false, true)) {
                        try {
                            Files.delete(jar); // FileInstall uninstalls the bundle while the run goes on
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }

                @Override
                public void onEvent(RunStatus status, RunEvent event) {
                    events.onEvent(status, event);
                }
            });
            assertThat(stopped.state()).as(events.events.toString()).isEqualTo(RunState.STOPPED);
            assertThat(stopped.message()).contains("went away");
            assertThat(stopped.updates()).isGreaterThan(100).isLessThan(100_000_000);
            assertThat(events.of(RunEvent.CheckpointWritten.class)).singleElement()
                    .satisfies(c -> assertThat(c.step()).isEqualTo(stopped.updates()));
            assertThat(f.host.learners().best("framestats")).isEmpty();

            Files.copy(TestBundles.framestatsPlugin(), jar);
            await("framestats back", 60, () -> f.host.learners().best("framestats").isPresent());
            assertThat(f.host.learners().best("framestats").orElseThrow().serviceId()).isNotEqualTo(firstService);
            LearnerRun resumed = LearnerRun.resume(f.host, runs, stopped.runId());
            RunFixtures.Events again = new RunFixtures.Events();
            RunStatus end = resumed.run(new RunListener() {
                @Override
                public void onScalar(String tag, double value, long step) {
                    if (step == stopped.updates() + 10) {
                        resumed.stop();
                    }
                }

                @Override
                public void onEvent(RunStatus status, RunEvent event) {
                    again.onEvent(status, event);
                }

                @Override
                public void onEvent(RunStatus status, String event) {
                    again.onEvent(status, event);
                }
            });
            assertThat(end.state()).as(again.events.toString()).isEqualTo(RunState.STOPPED);
            assertThat(end.updates()).isEqualTo(stopped.updates() + 10);
            assertThat(again.events).anyMatch(e -> e.contains("resumed framestats@") && e.contains("-step" + stopped.updates() + "-"));
        }
    }
}
