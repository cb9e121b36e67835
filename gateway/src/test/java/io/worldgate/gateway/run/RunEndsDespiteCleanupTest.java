package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What throws while a run releases its parts after the loop, even an {@link Error}, is told as a
 * typed event and the run still ends: whoever waits for its end (the CLI, a shutdown) is not left waiting.
 */
class RunEndsDespiteCleanupTest {

    @Test
    void anErrorWhileClosingTheEnvironmentsAndInAnEndOfRunStepStillEndsTheRun(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.randomPlugin(), f.deploy.resolve("random.jar"), "1.0.0");
            await("random", 20, () -> f.host.bestFactory("random").isPresent());
            EnvRegistry envs = EnvRegistry.withBuiltins();
            RunConfig config = new RunConfig("brittle", "random", null, Map.of(), "java:CartPole", Map.of(), 2, 200, 7, 0, 0,
                    0, 0, 1, tmp.resolve("runs/brittle"), "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = TrainingRun.builder(config, f.host, envs).listener(events)
                    .env(new BrittleEnvs.ThrowsOnClose(envs.create("java:CartPole", 2, Map.of())))
                    .afterEnd(r -> {
                        throw new LinkageError("plot class gone");
                    })
                    .afterEnd(r -> Optional.of("the step after the failed one still ran"))
                    .build().start();

            RunStatus end = run.await(Duration.ofSeconds(30));

            assertThat(end.state()).as("%s", events.events).isEqualTo(RunState.FINISHED);
            assertThat(end.step()).isEqualTo(200);
            assertThat(events.of(RunEvent.CleanupFailed.class)).extracting(RunEvent.CleanupFailed::part)
                    .containsExactly(RunEvent.CleanupFailed.Part.ENVIRONMENTS, RunEvent.CleanupFailed.Part.END_OF_RUN_STEP);
            assertThat(events.of(RunEvent.CleanupFailed.class).get(0).detail())
                    .isEqualTo("NoClassDefFoundError: " + BrittleEnvs.MISSING_CLASS);
            assertThat(events.events).anyMatch(e -> e.endsWith("the step after the failed one still ran"));
            assertThat(events.typed).last().isEqualTo(new RunEvent.RunEnded(RunState.FINISHED, 200, "finished at step 200"));
        }
    }
}
