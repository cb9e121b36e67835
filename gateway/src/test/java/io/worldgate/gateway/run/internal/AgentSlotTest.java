package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import io.worldgate.api.agent.Agent;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.AgentSwapped;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunEvent.SwapRejected;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The slot's swap rules as pure logic: which requests end how, with handles and agents as stand-ins. */
class AgentSlotTest {
    private final List<RunEvent> events = new ArrayList<>();
    private final List<String> retired = new ArrayList<>();
    private final AgentSlot slot = new AgentSlot("a", null, () -> 42, events::add);
    private final AgentSlot.Lifecycle lifecycle = new AgentSlot.Lifecycle() {
        @Override
        public AgentSlot.Created create(FactoryHandle handle, ServiceBindings services) {
            return new AgentSlot.Created(mock(Agent.class), true);
        }

        @Override
        public void retire(FactoryHandle handle, Agent agent, String why) {
            retired.add(handle.label());
        }

        @Override
        public void waiting(io.worldgate.gateway.run.RunEvent.RunPaused why) {}
    };

    private static FactoryHandle handle(String name, String version, long serviceId) {
        return new FactoryHandle(name, serviceId, "bundle." + name, version, serviceId, null);
    }

    @Test
    void aSecondRequestSupersedesAPendingOne() throws Exception {
        slot.factoryAdded(handle("a", "1.0.0", 1));
        slot.factoryAdded(handle("a", "2.0.0", 2));
        slot.factoryAdded(handle("b", "1.0.0", 3));
        slot.acquire(lifecycle);
        assertThat(slot.current()).hasValueSatisfying(h -> assertThat(h.label()).isEqualTo("a@2.0.0"));

        CompletableFuture<SwapOutcome> first = slot.retarget("a", "1.0.0");
        CompletableFuture<SwapOutcome> second = slot.retarget("b", null);
        assertThat(first).isCompletedWithValueMatching(o -> o instanceof SwapRejected r
                && r.reason() == SwapRejected.Reason.SUPERSEDED && r.requested().equals("a@1.0.0") && r.current().equals("a@2.0.0"));
        assertThat(second).isNotDone();

        slot.acquire(lifecycle);
        assertThat(second).isCompletedWithValueMatching(o -> o instanceof AgentSwapped s && s.from().equals("a@2.0.0")
                && s.to().equals("b@1.0.0") && s.cause() == AgentSwapped.Cause.REQUESTED && s.step() == 42 && s.checkpointLoaded());
        assertThat(retired).containsExactly("a@2.0.0");
        assertThat(events).containsExactly(first.join(), second.join());
    }

    @Test
    void aRequestPendingWhenTheRunStopsEndsAsRunEnded() throws Exception {
        slot.factoryAdded(handle("a", "1.0.0", 1));
        slot.factoryAdded(handle("a", "2.0.0", 2));
        slot.retarget("a", "2.0.0"); // pinned before the first agent: nothing runs yet, so it is pending
        slot.acquire(lifecycle);
        CompletableFuture<SwapOutcome> back = slot.retarget("a", "1.0.0");
        slot.stop(lifecycle, "run stopped");
        assertThat(back).isCompletedWithValueMatching(o -> o instanceof SwapRejected r && r.reason() == SwapRejected.Reason.RUN_ENDED);
        assertThat(slot.retarget("a", null)).as("after the end every request is told so at once")
                .isCompletedWithValueMatching(o -> o instanceof SwapRejected r && r.reason() == SwapRejected.Reason.RUN_ENDED);
    }

    @Test
    void theVersionRunningOrOneNotDeployedIsAnsweredAtOnceAndChangesNothing() throws Exception {
        slot.factoryAdded(handle("a", "1.0.0", 1));
        slot.acquire(lifecycle);
        assertThat(slot.retarget("a", "1.0.0")).isCompletedWithValueMatching(o -> o instanceof SwapRejected r
                && r.reason() == SwapRejected.Reason.ALREADY_RUNNING);
        assertThat(slot.retarget("a", "3.0.0")).isCompletedWithValueMatching(o -> o instanceof SwapRejected r
                && r.reason() == SwapRejected.Reason.NOT_DEPLOYED && r.current().equals("a@1.0.0"));
        slot.acquire(lifecycle);
        assertThat(retired).isEmpty();
        assertThat(slot.current()).hasValueSatisfying(h -> assertThat(h.label()).isEqualTo("a@1.0.0"));
    }
}
