package io.worldgate.gateway.dreamer;

import io.worldgate.gateway.run.RunEvent;
import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunFixtures;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dreamer v1 is replaced by v2 (the same jar re-versioned) while a run trains it: v2 loads v1's
 * checkpoint (its update counter, and with it the networks, go on from where v1 stopped) and
 * training continues.
 */
class DreamerHotSwapTest {

    @Test
    void aNewVersionTakesOverTheNetworksAndTrainingGoesOn(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            Path jar = f.deploy.resolve("dreamer.jar");
            TestBundles.withVersion(TestBundles.dreamerPlugin(), jar, "1.0.0");
            await("dreamer 1.0.0", 60, () -> f.host.bestFactory("dreamer").isPresent());
            RunConfig config = new RunConfig("swap", "dreamer", "debug",
                    Map.of("batch_size", "4", "batch_length", "16"), "java:CartPole", Map.of(), 2, 1_000_000_000L, 3,
                    0.25, 200, 0, 0, 1, tmp.resolve("runs").resolve("swap"), "cpu");
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("v1 trains", 120, () -> run.metrics().getOrDefault("train/updates", 0.0) >= 20);
                assertThat(run.status().agent()).isEqualTo("dreamer@1.0.0");

                TestBundles.withVersion(TestBundles.dreamerPlugin(), jar, "2.0.0");
                await("swap to 2.0.0", 120, () -> "dreamer@2.0.0".equals(run.status().agent()));
                assertThat(events.of(RunEvent.AgentCreated.class)).as(events.events.toString())
                        .filteredOn(c -> c.agent().equals("dreamer@2.0.0")).singleElement()
                        .satisfies(c -> assertThat(c.checkpointLoaded()).isTrue());
                Path checkpoint = run.lastCheckpoint().orElseThrow();
                assertThat(checkpoint.resolve("dreamer-networks.params")).exists();
                assertThat(checkpoint.resolve("dreamer.properties")).exists();
                long savedUpdates = Long.parseLong(java.nio.file.Files.readAllLines(checkpoint.resolve("dreamer.properties"))
                        .stream().filter(l -> l.startsWith("updates=")).findFirst().orElseThrow().substring(8));
                assertThat(savedUpdates).isGreaterThanOrEqualTo(20);

                // v2 counts on from v1's updates: the metric never restarts near zero
                long hostUpdates = run.status().updates();
                await("v2 trains", 120, () -> run.status().updates() > hostUpdates + 10);
                assertThat(run.metrics().get("train/updates")).isGreaterThan((double) savedUpdates);
                assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
                assertThat(run.metrics().get("loss/model")).isFinite();
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(60));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
        }
    }
}
