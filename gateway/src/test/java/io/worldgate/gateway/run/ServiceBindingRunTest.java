package io.worldgate.gateway.run;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.runtime.nn.ImageEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin bound to another plugin's service on a real Felix, while a run goes on: the provider is
 * updated in place, removed and deployed again. Its service object throws once its component is
 * deactivated, so a consumer left holding a stale object fails the run's agent.
 */
class ServiceBindingRunTest {
    private static final String ENCODER = ImageEncoder.class.getName();

    private static RunConfig config(String id, Path dir) {
        return config(id, "svc-consumer", dir);
    }

    private static RunConfig config(String id, String agent, Path dir) {
        // acts on every step and trains now and then: both call the service
        return new RunConfig(id, agent, null, Map.of(), "java:CartPole", Map.of(), 2, 1_000_000_000_000L, 7, 0.1, 0,
                0, 0, 1, dir.resolve("runs").resolve(id), "cpu");
    }

    private static Path provider(Path tmp) throws Exception {
        return TestBundles.build(tmp.resolve("built").resolve("provider.jar"), "test.svcprovider", "1.0.0",
                "io.worldgate.gateway.testplugins.svcprovider");
    }

    @Test
    void aConsumerFollowsItsProviderUpdatedTwiceDuringARun(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Path built = provider(tmp);
            Path deployed = f.deploy.resolve("provider.jar");
            TestBundles.withVersion(built, deployed, "1.0.0");
            TestBundles.testPlugin(f.deploy.resolve("consumer.jar"), "svcconsumer", "1.0.0");
            await("consumer plugin", 30, () -> f.host.bestFactory("svc-consumer").isPresent());

            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config("svc", tmp), f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("steps bound to 1.0.0", 30, () -> run.status().step() > 200);
                for (String version : new String[] {"1.0.1", "1.0.2"}) {
                    long before = run.status().step();
                    TestBundles.withVersion(built, deployed, version);
                    await("rebound to " + version, 90, () -> events.of(RunEvent.ServiceBound.class).stream()
                            .anyMatch(b -> b.providerVersion().equals(version)));
                    long rebound = run.status().step();
                    assertThat(rebound).isGreaterThanOrEqualTo(before);
                    await("steps with " + version, 30, () -> run.status().step() > rebound + 200);
                    assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
                }
                assertThat(events.of(RunEvent.AgentFailed.class)).as(events.events.toString()).isEmpty();
                assertThat(events.of(RunEvent.ServiceBound.class)).as(events.events.toString()).extracting(
                        RunEvent.ServiceBound::providerVersion, RunEvent.ServiceBound::rebound).containsExactly(
                                tuple("1.0.0", false),
                                tuple("1.0.1", true),
                                tuple("1.0.2", true));
                assertThat(events.of(RunEvent.ServiceBound.class)).allSatisfy(b -> {
                    assertThat(b.serviceType()).isEqualTo(ENCODER);
                    assertThat(b.serviceName()).isEqualTo("probe");
                    assertThat(b.provider()).isEqualTo("test.svcprovider");
                    assertThat(b.agent()).isEqualTo("svc-consumer@1.0.0");
                });
                assertThat(events.of(RunEvent.ServiceGone.class)).extracting(RunEvent.ServiceGone::providerVersion)
                        .containsExactly("1.0.0", "1.0.1");
                // an update in place is a short gap: not reported as a pause
                assertThat(events.of(RunEvent.RunPaused.class)).as(events.events.toString()).isEmpty();
                // each new agent took over from the checkpoint its predecessor wrote as the service left
                assertThat(events.of(RunEvent.AgentCreated.class)).hasSize(3).extracting(RunEvent.AgentCreated::checkpointLoaded)
                        .containsExactly(false, true, true);
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(30));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
            assertThat(events.of(RunEvent.AgentFailed.class)).isEmpty();
        }
    }

    @Test
    void aRunWaitsForAMissingServiceAndPausesWhileItsProviderIsAway(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Path built = provider(tmp);
            Path deployed = f.deploy.resolve("provider.jar");
            TestBundles.testPlugin(f.deploy.resolve("consumer.jar"), "svcconsumer", "1.0.0");
            await("consumer plugin", 30, () -> f.host.bestFactory("svc-consumer").isPresent());

            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config("wait", tmp), f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                // No provider yet: the agent cannot be made, and the run waits for the service, not failing.
                await("paused for the missing service", 30, () -> run.status().state() == RunState.PAUSED);
                assertThat(events.of(RunEvent.RunPaused.class)).as(events.events.toString()).singleElement().satisfies(p -> {
                    assertThat(p.reason()).isEqualTo(RunEvent.RunPaused.Reason.SERVICE_MISSING);
                    assertThat(p.serviceType()).isEqualTo(ENCODER);
                    assertThat(p.serviceName()).isEqualTo("probe");
                });
                assertThat(run.status().step()).isZero();

                TestBundles.withVersion(built, deployed, "1.0.0");
                await("running once the service came", 60, () -> run.status().state() == RunState.RUNNING
                        && run.status().step() > 200);

                // The provider is removed: the consumer is closed before the service goes, and the run pauses.
                Files.delete(deployed);
                await("paused for the gone service", 60, () -> run.status().state() == RunState.PAUSED);
                assertThat(events.of(RunEvent.RunPaused.class)).last().satisfies(p -> {
                    assertThat(p.reason()).isEqualTo(RunEvent.RunPaused.Reason.SERVICE_GONE);
                    assertThat(p.agent()).isEqualTo("svc-consumer");
                    assertThat(p.serviceType()).isEqualTo(ENCODER);
                    assertThat(p.serviceName()).isEqualTo("probe");
                });
                long paused = run.status().step();
                Thread.sleep(500);
                assertThat(run.status().step()).isEqualTo(paused);

                // Back again: the run resumes from the checkpoint, bound to the new provider.
                TestBundles.withVersion(built, deployed, "1.0.3");
                await("resumed", 60, () -> run.status().state() == RunState.RUNNING && run.status().step() > paused + 200);
                assertThat(events.of(RunEvent.RunResumed.class)).last().satisfies(r -> assertThat(r.step()).isEqualTo(paused));
                assertThat(events.of(RunEvent.ServiceBound.class)).last().satisfies(b -> {
                    assertThat(b.providerVersion()).isEqualTo("1.0.3");
                    assertThat(b.rebound()).isTrue();
                });
                assertThat(events.of(RunEvent.AgentCreated.class)).last().satisfies(c -> assertThat(c.checkpointLoaded()).isTrue());
                assertThat(events.of(RunEvent.AgentFailed.class)).as(events.events.toString()).isEmpty();
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(30));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
        }
    }

    @Test
    void aHigherRankedServiceTakesOverAtTheNextStepBoundary(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(provider(tmp), f.deploy.resolve("provider.jar"), "1.0.0");
            TestBundles.testPlugin(f.deploy.resolve("consumer.jar"), "svcconsumer", "1.0.0");
            await("consumer plugin", 30, () -> f.host.bestFactory("svc-consumer").isPresent());
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config("ranked", tmp), f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("steps bound to the plain encoder", 30, () -> run.status().step() > 200);
                // The ranked one's package imports the plain one's: both in one bundle, only the ranked component is its.
                Path ranked = TestBundles.build(f.deploy.resolve("ranked.jar"), "test.svcranked", "2.0.0",
                        "io.worldgate.gateway.testplugins.svcranked,io.worldgate.gateway.testplugins.svcprovider",
                        Map.of("-dsannotations", "io.worldgate.gateway.testplugins.svcranked.*"));
                await("bound to the ranked encoder", 60, () -> events.of(RunEvent.ServiceBound.class).stream()
                        .anyMatch(b -> b.provider().equals("test.svcranked")));
                long at = run.status().step();
                await("steps with the ranked encoder", 30, () -> run.status().step() > at + 200);
                // It goes again: back to the plain one, which never left.
                Files.delete(ranked);
                await("back to the plain encoder", 60, () -> events.of(RunEvent.ServiceBound.class).size() == 3);
                long back = run.status().step();
                await("steps with the plain encoder", 30, () -> run.status().step() > back + 200);
                assertThat(events.of(RunEvent.ServiceBound.class)).as(events.events.toString())
                        .extracting(RunEvent.ServiceBound::provider, RunEvent.ServiceBound::rebound).containsExactly(
                                tuple("test.svcprovider", false),
                                tuple("test.svcranked", true),
                                tuple("test.svcprovider", true));
                assertThat(events.of(RunEvent.ServiceGone.class)).extracting(RunEvent.ServiceGone::provider)
                        .containsExactly("test.svcranked");
                assertThat(events.of(RunEvent.AgentFailed.class)).isEmpty();
                assertThat(events.of(RunEvent.RunPaused.class)).isEmpty();
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(30));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
        }
    }

    @Test
    void aServiceFoundMissingInActPausesTheRunUntilItComes(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.testPlugin(f.deploy.resolve("lazy.jar"), "svclazy", "1.0.0");
            await("lazy plugin", 30, () -> f.host.bestFactory("svc-lazy").isPresent());
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config("lazy", "svc-lazy", tmp), f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("paused in act", 30, () -> run.status().state() == RunState.PAUSED);
                assertThat(events.of(RunEvent.RunPaused.class)).as(events.events.toString()).singleElement().satisfies(p -> {
                    assertThat(p.reason()).isEqualTo(RunEvent.RunPaused.Reason.SERVICE_MISSING);
                    assertThat(p.serviceName()).isEqualTo("probe");
                });
                // the agent was checkpointed and closed, not failed
                assertThat(events.of(RunEvent.AgentRetired.class)).hasSize(1);
                TestBundles.withVersion(provider(tmp), f.deploy.resolve("provider.jar"), "1.0.0");
                await("running with the service", 60, () -> run.status().state() == RunState.RUNNING
                        && run.status().step() > 200);
                assertThat(events.of(RunEvent.ServiceBound.class)).singleElement()
                        .satisfies(b -> assertThat(b.agent()).isEqualTo("svc-lazy@1.0.0"));
                assertThat(events.of(RunEvent.AgentFailed.class)).as(events.events.toString()).isEmpty();
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(30));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
        }
    }
}
