package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.AgentSwapped;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunEvent.SwapRejected;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What a slot is asked for, where it goes back to, and who is told to succeed whom. */
class SwapRequestsTest {
    private final List<RunEvent> events = new ArrayList<>();
    private String inUse;
    private final SwapRequests swaps = new SwapRequests("a", null, () -> 7, events::add, () -> inUse);

    @Test
    void aRequestThatCannotBeMadeGoesBackToTheTargetBeforeEveryPendingOne() {
        inUse = "a@1.0.0";
        CompletableFuture<SwapOutcome> first = swaps.ask("b", null);
        CompletableFuture<SwapOutcome> second = swaps.ask("c", "2.0.0");
        assertThat(first).isCompletedWithValue(new SwapRejected("b", SwapRejected.Reason.SUPERSEDED, "a@1.0.0", 7,
                "replaced by a swap to c@2.0.0"));
        assertThat(swaps.target()).isEqualTo("c@2.0.0");
        assertThat(swaps.pending()).contains("c@2.0.0");

        swaps.refusePending(SwapRejected.Reason.AGENT_NOT_CREATED, "c@2.0.0: boom", true);
        assertThat(second).isCompletedWithValue(new SwapRejected("c@2.0.0", SwapRejected.Reason.AGENT_NOT_CREATED, "a@1.0.0", 7,
                "c@2.0.0: boom"));
        assertThat(swaps.target()).as("back to a, not to the superseded b").isEqualTo("a");
        assertThat(swaps.pending()).isEmpty();
        assertThat(events).containsExactly(first.join(), second.join());
    }

    @Test
    void theNextAgentSucceedsTheRetiredOneForItsCauseOrForTheRequest() {
        swaps.retired("a@1.0.0", AgentSwapped.Cause.NEWER_VERSION_DEPLOYED);
        swaps.succeeded("a@2.0.0", true);
        assertThat(events).containsExactly(new AgentSwapped("a@1.0.0", "a@2.0.0", 7, AgentSwapped.Cause.NEWER_VERSION_DEPLOYED, true));

        events.clear();
        swaps.retired("a@2.0.0", AgentSwapped.Cause.AGENT_FAILED);
        CompletableFuture<SwapOutcome> asked = swaps.ask("b", null);
        assertThat(((SwapRejected) swaps.refuse("x", SwapRejected.Reason.NOT_DEPLOYED, "").join()).current())
                .as("between two agents, the run goes on with the retired one").isEqualTo("a@2.0.0");
        swaps.succeeded("b@1.0.0", false);
        AgentSwapped requested = new AgentSwapped("a@2.0.0", "b@1.0.0", 7, AgentSwapped.Cause.REQUESTED, false);
        assertThat(asked).isCompletedWithValue(requested);
        assertThat(events).endsWith(requested);

        events.clear();
        swaps.retired("b@1.0.0", AgentSwapped.Cause.SERVICE_REBOUND);
        swaps.succeeded("b@1.0.0", true);
        assertThat(events).as("the same agent made again is no swap").isEmpty();
    }

    @Test
    void theEndRefusesWhatIsPendingAndEveryLaterRequest() {
        CompletableFuture<SwapOutcome> asked = swaps.ask("b", null);
        swaps.end();
        assertThat(asked).isCompletedWithValueMatching(o -> o instanceof SwapRejected r && r.reason() == SwapRejected.Reason.RUN_ENDED);
        assertThat(swaps.ended()).isTrue();
        assertThat(swaps.target()).as("an end is no failure to go back from").isEqualTo("b");
    }
}
