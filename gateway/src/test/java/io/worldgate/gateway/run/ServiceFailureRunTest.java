package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.testplugins.svcfailed.FailedProbe;
import io.worldgate.runtime.nn.ImageEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Felix: a run whose agent needs a service waits while the service is absent, and fails
 * with the provider's reason once the provider says it cannot offer it (a {@code ServiceFailure}).
 */
class ServiceFailureRunTest {

    @Test
    void aRunWaitingForAServiceFailsWhenItsProviderSaysItCannotOfferIt(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("consumer.jar"), "svcconsumer", "1.0.0");
            await("consumer plugin", 30, () -> f.host.bestFactory("svc-consumer").isPresent());
            RunConfig config = new RunConfig("failed-svc", "svc-consumer", null, Map.of(), "java:CartPole", Map.of(), 2,
                    1_000_000L, 7, 0, 0, 0, 0, 1, tmp.resolve("runs/failed-svc"), "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                // absent, the service may come later: the run waits, as before
                await("paused for the missing service", 30, () -> run.status().state() == RunState.PAUSED);
                assertThat(events.of(RunEvent.RunPaused.class)).last()
                        .extracting(RunEvent.RunPaused::reason).isEqualTo(RunEvent.RunPaused.Reason.SERVICE_MISSING);

                TestBundles.testPlugin(f.deploy.resolve("failed.jar"), "svcfailed", "1.0.0");
                RunStatus end = run.await(Duration.ofSeconds(30));

                assertThat(end.state()).as("%s", events.events).isEqualTo(RunState.FAILED);
                assertThat(events.of(RunEvent.ServiceFailed.class)).singleElement().satisfies(e -> {
                    assertThat(e.agent()).isEqualTo("svc-consumer");
                    assertThat(e.serviceType()).isEqualTo(ImageEncoder.class.getName());
                    assertThat(e.serviceName()).isEqualTo("probe");
                    assertThat(e.provider()).isEqualTo("test.svcfailed");
                    assertThat(e.providerVersion()).isEqualTo("1.0.0");
                    assertThat(e.reason()).isEqualTo(FailedProbe.REASON);
                });
                assertThat(events.typed).last().isInstanceOfSatisfying(RunEvent.RunEnded.class,
                        e -> assertThat(e.state()).isEqualTo(RunState.FAILED));
                assertThat(end.message()).contains(FailedProbe.REASON);
            } finally {
                run.stop();
                run.await(Duration.ofSeconds(30));
            }
        }
    }
}
