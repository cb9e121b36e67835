package io.worldgate.gateway.tdmpc2;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostFixture;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunFixtures;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run started with Dreamer is swapped to TD-MPC2 and back while it goes on (real bundles in a
 * real Felix, java:PointMass). Each newcomer cannot read the other family's checkpoint, so it
 * trains on the run's experience (the host's, carried over) for the stated number of updates
 * before it acts; the step counter and the experience go on through both swaps.
 */
class CrossFamilySwapTest {
    static final int WARMUP = 30;

    @Test
    void dreamerToTdMpc2AndBackKeepsTheRunsExperienceAndSteps(@TempDir Path tmp) throws Exception {
        try (HostFixture f = new HostFixture(tmp)) {
            TestBundles.withVersion(TestBundles.dreamerPlugin(), f.deploy.resolve("dreamer.jar"), "1.0.0");
            TestBundles.withVersion(TestBundles.tdmpc2Plugin(), f.deploy.resolve("tdmpc2.jar"), "1.0.0");
            await("dreamer and tdmpc2", 60, () -> f.host.bestFactory("dreamer").isPresent()
                    && f.host.bestFactory("tdmpc2").isPresent());
            RunConfig config = new RunConfig("cross", "dreamer", "debug", Map.of("batch_size", "4"), "java:PointMass", Map.of(),
                    2, 1_000_000_000L, 5, 0.25, 200, 0, 0, 1, tmp.resolve("runs").resolve("cross"), "cpu", 0, 0, WARMUP);
            RunFixtures.Events events = new RunFixtures.Events();
            TrainingRun run = new TrainingRun(config, f.host, EnvRegistry.withBuiltins(), events).start();
            try {
                await("dreamer trains", 120, () -> run.status().updates() >= 20);

                long before = run.status().step();
                RunEvent.SwapOutcome toTdMpc2 = run.swapAgent("tdmpc2").get(120, TimeUnit.SECONDS);
                assertThat(toTdMpc2).as(events.events.toString()).isInstanceOfSatisfying(RunEvent.AgentSwapped.class, s -> {
                    assertThat(s.from()).isEqualTo("dreamer@1.0.0");
                    assertThat(s.to()).isEqualTo("tdmpc2@1.0.0");
                    assertThat(s.step()).isGreaterThanOrEqualTo(before);
                    assertThat(s.checkpointLoaded()).isFalse();
                });
                List<RunEvent.AgentWarmedUp> warm = events.of(RunEvent.AgentWarmedUp.class);
                assertThat(warm).singleElement().satisfies(w -> {
                    assertThat(w.agent()).isEqualTo("tdmpc2@1.0.0");
                    assertThat(w.updates()).isEqualTo(WARMUP);
                    // trained before acting: the swap and the warm-up happen at the same step
                    assertThat(w.step()).isEqualTo(((RunEvent.AgentSwapped) toTdMpc2).step());
                });
                long swappedAt = ((RunEvent.AgentSwapped) toTdMpc2).step();
                await("tdmpc2 acts and trains", 120, () -> run.status().step() > swappedAt + 200);

                RunEvent.SwapOutcome back = run.swapAgent("dreamer").get(120, TimeUnit.SECONDS);
                assertThat(back).isInstanceOfSatisfying(RunEvent.AgentSwapped.class, s -> {
                    assertThat(s.to()).isEqualTo("dreamer@1.0.0");
                    assertThat(s.step()).isGreaterThan(swappedAt + 200);
                });
                assertThat(events.of(RunEvent.AgentWarmedUp.class)).extracting(RunEvent.AgentWarmedUp::agent)
                        .containsExactly("tdmpc2@1.0.0", "dreamer@1.0.0");
                long backAt = ((RunEvent.AgentSwapped) back).step();
                await("dreamer acts again", 120, () -> run.status().step() > backAt + 100);
                assertThat(run.status().state()).isEqualTo(RunState.RUNNING);
                assertThat(events.of(RunEvent.AgentFailed.class)).as(events.events.toString()).isEmpty();
                System.out.printf("cross-family swap: dreamer -> tdmpc2 at step %d, tdmpc2 -> dreamer at step %d; warm-ups %s%n",
                        swappedAt, backAt, events.of(RunEvent.AgentWarmedUp.class));
            } finally {
                run.stop();
                RunStatus end = run.await(Duration.ofSeconds(60));
                events.events.forEach(System.out::println);
                assertThat(end.state()).isEqualTo(RunState.STOPPED);
            }
        }
    }
}
