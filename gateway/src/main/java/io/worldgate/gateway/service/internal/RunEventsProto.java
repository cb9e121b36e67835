package io.worldgate.gateway.service.internal;

import io.worldgate.gateway.run.RunEvent;
import io.worldgate.proto.service.v1.AgentSwapped;
import io.worldgate.proto.service.v1.SwapRejected;

/** Typed run events on the wire: the {@code RunEvent} oneof of the service proto. */
final class RunEventsProto {
    private RunEventsProto() {}

    /** The event's wire form; an event without a type of its own yet has no {@code kind} set. */
    static io.worldgate.proto.service.v1.RunEvent toProto(RunEvent event) {
        io.worldgate.proto.service.v1.RunEvent.Builder b = io.worldgate.proto.service.v1.RunEvent.newBuilder();
        if (event instanceof RunEvent.AgentSwapped s) {
            b.setAgentSwapped(AgentSwapped.newBuilder().setFromAgent(s.from()).setToAgent(s.to()).setStep(s.step())
                    .setCause(AgentSwapped.Cause.valueOf(s.cause().name())).setCheckpointLoaded(s.checkpointLoaded()));
        } else if (event instanceof RunEvent.SwapRejected r) {
            b.setSwapRejected(SwapRejected.newBuilder().setRequested(r.requested())
                    .setReason(SwapRejected.Reason.valueOf(r.reason().name())).setCurrent(r.current()).setStep(r.step())
                    .setDetail(r.detail()));
        }
        return b.build();
    }
}
