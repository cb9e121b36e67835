package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.worldgate.gateway.cli.CliRun;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.SwapReply;
import io.worldgate.gateway.host.TestBundles;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.AgentSwapped;
import io.worldgate.gateway.run.RunEvent.SwapRejected;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swaps through the gRPC service on a real Felix with real plugin bundles: each swap's outcome is
 * a typed event, returned by a waiting SwapAgent and streamed by StreamMetrics; a swap that
 * cannot happen says why and leaves the run as it was.
 */
class SwapFeedbackTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private ServiceFixture service;

    @BeforeEach
    void serve() throws Exception {
        service = new ServiceFixture(tmp, "random-1.jar", "1.0.0");
    }

    @AfterEach
    void close() {
        service.close();
    }

    private static RunRequest endless() {
        return new RunRequest("random", null, Map.of("act_delay_ms", "1"), "java:CartPole", Map.of(), 2, 100_000_000L, 3, 0, 0,
                0, 0, 1, "cpu");
    }

    /** Hears the typed events that StreamMetrics delivers. */
    private static final class TypedEvents implements RunListener {
        final List<RunEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunStatus status, RunEvent event) {
            events.add(event);
        }

        <T extends RunEvent> List<T> of(Class<T> kind) {
            return events.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    @Test
    void everySwapEndsWithATypedOutcomeThatAWaitingCallReturnsAndTheStreamCarries() throws Exception {
        TypedEvents streamed = new TypedEvents();
        RunStatus run = service.client.start(endless(), streamed);
        String id = run.runId();
        await("steps with 1.0.0", 20, () -> service.client.status(id).step() > 200);

        // The version running: answered at once, nothing changes.
        long before = System.nanoTime();
        SwapReply same = service.client.swap(id, "random", WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        assertThat(same.outcome()).hasValueSatisfying(o -> {
            SwapRejected r = (SwapRejected) o;
            assertThat(r.reason()).isEqualTo(SwapRejected.Reason.ALREADY_RUNNING);
            assertThat(r.requested()).isEqualTo("random");
            assertThat(r.current()).isEqualTo("random@1.0.0");
        });

        // A higher version deployed beside it takes over by itself: typed, with its cause.
        TestBundles.withVersion(TestBundles.randomPlugin(), service.deploy.resolve("random-2.jar"), "2.0.0");
        await("the swap to 2.0.0 streamed", 60, () -> !streamed.of(AgentSwapped.class).isEmpty());
        assertThat(streamed.of(AgentSwapped.class).get(0)).satisfies(s -> {
            assertThat(s.from()).isEqualTo("random@1.0.0");
            assertThat(s.to()).isEqualTo("random@2.0.0");
            assertThat(s.cause()).isEqualTo(AgentSwapped.Cause.NEWER_VERSION_DEPLOYED);
            assertThat(s.checkpointLoaded()).isTrue();
        });

        // Back to the older version, asked for explicitly: it happens, and the call says so when it has.
        SwapReply older = service.client.swap(id, "random@1.0.0", WAIT);
        AgentSwapped back = (AgentSwapped) older.outcome().orElseThrow();
        assertThat(back.from()).isEqualTo("random@2.0.0");
        assertThat(back.to()).isEqualTo("random@1.0.0");
        assertThat(back.cause()).isEqualTo(AgentSwapped.Cause.REQUESTED);
        assertThat(back.checkpointLoaded()).isTrue();
        assertThat(back.step()).isPositive();
        assertThat(older.status().agent()).isEqualTo("random@1.0.0");
        // Pinned: the higher version deployed does not take over again.
        long afterSwap = service.client.status(id).step();
        await("steps after the swap back", 20, () -> service.client.status(id).step() > afterSwap + 500);
        assertThat(service.client.status(id).agent()).isEqualTo("random@1.0.0");

        // A version not deployed: rejected at once with the reason; the run goes on as it was.
        SwapRejected missing = (SwapRejected) service.client.swap(id, "random@3.0.0", WAIT).outcome().orElseThrow();
        assertThat(missing.reason()).isEqualTo(SwapRejected.Reason.NOT_DEPLOYED);
        assertThat(missing.current()).isEqualTo("random@1.0.0");

        // An agent that cannot be created: rejected at the boundary; the run goes back to the agent it had.
        TestBundles.testPlugin(service.deploy.resolve("bad-create.jar"), "badcreate", "1.0.0");
        await("bad-create deployed", 20, () -> service.gateway.plugins().bestFactory("bad-create").isPresent());
        SwapRejected broken = (SwapRejected) service.client.swap(id, "bad-create", WAIT).outcome().orElseThrow();
        assertThat(broken.reason()).isEqualTo(SwapRejected.Reason.AGENT_NOT_CREATED);
        assertThat(broken.requested()).isEqualTo("bad-create");
        assertThat(broken.current()).as("the agent the run goes back to").isEqualTo("random@1.0.0");
        long afterReject = service.client.status(id).step();
        await("steps after the rejected swap", 20, () -> service.client.status(id).step() > afterReject + 500);
        assertThat(service.client.status(id)).satisfies(s -> {
            assertThat(s.state()).isEqualTo(RunState.RUNNING);
            assertThat(s.agent()).isEqualTo("random@1.0.0");
        });

        // The same outcomes reached the metrics stream, typed.
        await("the stream to catch up", 10, () -> streamed.of(SwapRejected.class).size() >= 3);
        assertThat(streamed.of(SwapRejected.class)).extracting(SwapRejected::reason).containsExactly(
                SwapRejected.Reason.ALREADY_RUNNING, SwapRejected.Reason.NOT_DEPLOYED, SwapRejected.Reason.AGENT_NOT_CREATED);
        assertThat(streamed.of(AgentSwapped.class)).extracting(AgentSwapped::to, AgentSwapped::cause).contains(
                org.assertj.core.groups.Tuple.tuple("random@1.0.0", AgentSwapped.Cause.REQUESTED));
    }

    @Test
    void aSwapThatCannotHappenLeavesTheRunOnItsAgent() throws Exception {
        String id = service.client.start(endless(), null).runId();
        await("steps with 1.0.0", 20, () -> service.client.status(id).step() > 200);
        TestBundles.testPlugin(service.deploy.resolve("bad-create.jar"), "badcreate", "1.0.0");
        await("bad-create deployed", 20, () -> service.gateway.plugins().bestFactory("bad-create").isPresent());
        Map<String, SwapRejected.Reason> swaps = Map.of("random@3.0.0", SwapRejected.Reason.NOT_DEPLOYED, "bad-create",
                SwapRejected.Reason.AGENT_NOT_CREATED);
        for (String agent : List.of("random@3.0.0", "bad-create")) {
            // the typed outcome comes once the run has settled the swap, so no pause can be reported after it
            assertThat(service.client.swap(id, agent, WAIT).outcome()).as(agent).get().isInstanceOfSatisfying(SwapRejected.class,
                    r -> assertThat(r.reason()).isEqualTo(swaps.get(agent)));
            long at = service.client.status(id).step();
            await("steps after the swap to " + agent, 20, () -> service.client.status(id).step() > at + 500);
            assertThat(service.client.status(id)).as(agent).satisfies(s -> {
                assertThat(s.state()).isEqualTo(RunState.RUNNING);
                assertThat(s.agent()).isEqualTo("random@1.0.0");
            });
        }
    }

    @Test
    void theCliWaitsForTheSwapAndExitsByItsOutcome() throws Exception {
        TestBundles.withVersion(TestBundles.randomPlugin(), service.deploy.resolve("random-2.jar"), "2.0.0");
        await("2.0.0 deployed", 20, () -> service.gateway.plugins().factories().size() == 2);
        String id = service.client.start(endless(), null).runId();
        await("steps with 2.0.0", 20, () -> "random@2.0.0".equals(service.client.status(id).agent())
                && service.client.status(id).step() > 200);

        CliRun swapped = cli("swap", id, "random@1.0.0", "--json");
        assertThat(swapped.exit()).as(swapped.err()).isZero();
        JsonNode doc = Json.mapper().readTree(swapped.out());
        assertThat(doc.get("outcome").asText()).isEqualTo("AGENT_SWAPPED");
        assertThat(doc.get("event").get("from").asText()).isEqualTo("random@2.0.0");
        assertThat(doc.get("event").get("to").asText()).isEqualTo("random@1.0.0");
        assertThat(doc.get("event").get("cause").asText()).isEqualTo("REQUESTED");
        assertThat(doc.get("run").get("agent").asText()).isEqualTo("random@1.0.0");

        CliRun again = cli("swap", id, "random@1.0.0", "--json");
        assertThat(again.exit()).as("nothing to do is no failure").isZero();
        assertThat(Json.mapper().readTree(again.out()).get("event").get("reason").asText()).isEqualTo("ALREADY_RUNNING");

        CliRun missing = cli("swap", id, "random@9.9.9", "--json");
        assertThat(missing.exit()).as("a version not deployed is bad input").isEqualTo(2);
        assertThat(Json.mapper().readTree(missing.out()).get("event").get("reason").asText()).isEqualTo("NOT_DEPLOYED");
    }

    /** The command line in this process, talking to the fixture's service found through the runs directory. */
    private CliRun cli(String... args) {
        return CliRun.with(service.deploy, tmp.resolve("runs"), args);
    }
}
