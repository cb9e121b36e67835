package io.worldgate.gateway.service;

import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunState;
import io.worldgate.proto.service.v1.AgentCreated;
import io.worldgate.proto.service.v1.AgentFailed;
import io.worldgate.proto.service.v1.AgentRetired;
import io.worldgate.proto.service.v1.AgentSwapped;
import io.worldgate.proto.service.v1.AgentWarmedUp;
import io.worldgate.proto.service.v1.CheckpointFailed;
import io.worldgate.proto.service.v1.CleanupFailed;
import io.worldgate.proto.service.v1.CheckpointWritten;
import io.worldgate.proto.service.v1.DamagedCheckpointSkipped;
import io.worldgate.proto.service.v1.EvaluationFailed;
import io.worldgate.proto.service.v1.EvaluationFinished;
import io.worldgate.proto.service.v1.EvaluationVideoWritten;
import io.worldgate.proto.service.v1.ExperienceRecovered;
import io.worldgate.proto.service.v1.Note;
import io.worldgate.proto.service.v1.RunEnded;
import io.worldgate.proto.service.v1.RunPaused;
import io.worldgate.proto.service.v1.RunResumed;
import io.worldgate.proto.service.v1.RunStarted;
import io.worldgate.proto.service.v1.ServiceBound;
import io.worldgate.proto.service.v1.ServiceFailed;
import io.worldgate.proto.service.v1.ServiceGone;
import io.worldgate.proto.service.v1.SwapRejected;
import io.worldgate.proto.service.v1.SwapRequested;

/**
 * Typed run events and run states on the wire (the {@code RunEvent} oneof and the {@code RunState}
 * enum of the service proto), both ways: the service writes them, the remote client reads them
 * back as the same {@link RunEvent}s.
 */
public final class RunEventsProto {
    private RunEventsProto() {}

    /** The event's wire form. */
    public static io.worldgate.proto.service.v1.RunEvent toProto(RunEvent event) {
        io.worldgate.proto.service.v1.RunEvent.Builder b = io.worldgate.proto.service.v1.RunEvent.newBuilder();
        if (event instanceof RunEvent.AgentSwapped s) {
            b.setAgentSwapped(AgentSwapped.newBuilder().setFromAgent(s.from()).setToAgent(s.to())
                    .setStep(s.step()).setCause(AgentSwapped.Cause.valueOf(s.cause().name())).setCheckpointLoaded(s.checkpointLoaded()));
        } else if (event instanceof RunEvent.SwapRejected r) {
            b.setSwapRejected(SwapRejected.newBuilder().setRequested(r.requested())
                    .setReason(SwapRejected.Reason.valueOf(r.reason().name())).setCurrent(r.current()).setStep(r.step())
                    .setDetail(r.detail()));
        } else if (event instanceof RunEvent.SwapRequested r) {
            b.setSwapRequested(SwapRequested.newBuilder().setRequested(r.requested()).setStep(r.step()));
        } else if (event instanceof RunEvent.EvaluationFailed f) {
            b.setEvaluationFailed(EvaluationFailed.newBuilder().setStep(f.step()).setDetail(f.detail()));
        } else if (event instanceof RunEvent.Note n) {
            b.setNote(Note.newBuilder().setStep(n.step()).setText(n.text()));
        } else if (event instanceof RunEvent.AgentCreated c) {
            b.setAgentCreated(AgentCreated.newBuilder().setAgent(c.agent()).setStep(c.step())
                    .setCheckpoint(c.checkpoint()).setCheckpointLoaded(c.checkpointLoaded()).setDetail(c.detail()));
        } else if (event instanceof RunEvent.AgentFailed f) {
            b.setAgentFailed(AgentFailed.newBuilder().setAgent(f.agent()).setStep(f.step())
                    .setDetail(f.detail()));
        } else if (event instanceof RunEvent.AgentRetired r) {
            b.setAgentRetired(AgentRetired.newBuilder().setAgent(r.agent()).setStep(r.step())
                    .setWhy(r.why()));
        } else if (event instanceof RunEvent.RunStarted s) {
            b.setRunStarted(RunStarted.newBuilder().setStep(s.step()));
        } else if (event instanceof RunEvent.RunPaused p) {
            b.setRunPaused(RunPaused.newBuilder().setReason(RunPaused.Reason.valueOf(p.reason().name()))
                    .setAgent(p.agent()).setStep(p.step()).setDetail(p.detail())
                    .setServiceType(p.serviceType()).setServiceName(p.serviceName()));
        } else if (event instanceof RunEvent.ServiceBound sb) {
            b.setServiceBound(ServiceBound.newBuilder().setAgent(sb.agent()).setStep(sb.step())
                    .setServiceType(sb.serviceType()).setServiceName(sb.serviceName()).setProvider(sb.provider())
                    .setProviderVersion(sb.providerVersion()).setRebound(sb.rebound()));
        } else if (event instanceof RunEvent.ServiceGone sg) {
            b.setServiceGone(ServiceGone.newBuilder().setAgent(sg.agent()).setStep(sg.step())
                    .setServiceType(sg.serviceType()).setServiceName(sg.serviceName()).setProvider(sg.provider())
                    .setProviderVersion(sg.providerVersion()));
        } else if (event instanceof RunEvent.AgentWarmedUp w) {
            b.setAgentWarmedUp(AgentWarmedUp.newBuilder().setAgent(w.agent()).setStep(w.step()).setUpdates(w.updates())
                    .setSeconds(w.seconds()));
        } else if (event instanceof RunEvent.CleanupFailed c) {
            b.setCleanupFailed(CleanupFailed.newBuilder().setStep(c.step()).setPart(CleanupFailed.Part.valueOf(c.part().name()))
                    .setDetail(c.detail()));
        } else if (event instanceof RunEvent.ServiceFailed sf) {
            b.setServiceFailed(ServiceFailed.newBuilder().setAgent(sf.agent()).setStep(sf.step())
                    .setServiceType(sf.serviceType()).setServiceName(sf.serviceName()).setProvider(sf.provider())
                    .setProviderVersion(sf.providerVersion()).setReason(sf.reason()));
        } else if (event instanceof RunEvent.RunResumed r) {
            b.setRunResumed(RunResumed.newBuilder().setStep(r.step()));
        } else if (event instanceof RunEvent.RunEnded e) {
            b.setRunEnded(RunEnded.newBuilder().setState(toProto(e.state())).setStep(e.step())
                    .setWhy(e.why()));
        } else if (event instanceof RunEvent.CheckpointWritten w) {
            b.setCheckpointWritten(CheckpointWritten.newBuilder().setAgent(w.agent())
                    .setStep(w.step()).setDirectory(w.directory()).setReason(w.reason()));
        } else if (event instanceof RunEvent.CheckpointFailed f) {
            b.setCheckpointFailed(CheckpointFailed.newBuilder().setAgent(f.agent())
                    .setStep(f.step()).setPruning(f.pruning()).setDetail(f.detail()));
        } else if (event instanceof RunEvent.DamagedCheckpointSkipped d) {
            b.setDamagedCheckpointSkipped(DamagedCheckpointSkipped.newBuilder()
                    .setCheckpoint(d.checkpoint()).setStep(d.step()).setWhy(d.why()).setResumedFrom(d.resumedFrom()));
        } else if (event instanceof RunEvent.EvaluationFinished e) {
            b.setEvaluationFinished(EvaluationFinished.newBuilder().setStep(e.step())
                    .setMeanReturn(e.meanReturn()).setEpisodes(e.episodes()).putAllMeanInfos(e.meanInfos()));
        } else if (event instanceof RunEvent.EvaluationVideoWritten v) {
            b.setEvaluationVideoWritten(EvaluationVideoWritten.newBuilder()
                    .setStep(v.step()).setPath(v.path()));
        } else if (event instanceof RunEvent.ExperienceRecovered x) {
            b.setExperienceRecovered(ExperienceRecovered.newBuilder().setStep(x.step())
                    .setSteps(x.steps()).setChunks(x.chunks()).setFinishedEpisodes(x.finishedEpisodes())
                    .setDroppedChunks(x.droppedChunks()).setProblems(x.problems()));
        } else {
            throw new IllegalArgumentException("no wire form for " + event.getClass().getSimpleName());
        }
        return b.build();
    }

    /**
     * The event a wire form stands for; one of a kind (or with an enum value) newer than this
     * client is a {@link RunEvent.Note} of {@code text} at {@code step}.
     */
    public static RunEvent fromProto(io.worldgate.proto.service.v1.RunEvent e, long step, String text) {
        try {
            RunEvent typed = typed(e);
            return typed != null ? typed : new RunEvent.Note(step, text);
        } catch (IllegalArgumentException unknownEnumValue) {
            return new RunEvent.Note(step, text); // from a newer service
        }
    }

    private static RunEvent typed(io.worldgate.proto.service.v1.RunEvent e) {
        return switch (e.getKindCase()) {
            case AGENT_SWAPPED -> {
                AgentSwapped s = e.getAgentSwapped();
                yield new RunEvent.AgentSwapped(s.getFromAgent(), s.getToAgent(), s.getStep(),
                        RunEvent.AgentSwapped.Cause.valueOf(s.getCause().name()), s.getCheckpointLoaded());
            }
            case SWAP_REJECTED -> {
                SwapRejected r = e.getSwapRejected();
                yield new RunEvent.SwapRejected(r.getRequested(), RunEvent.SwapRejected.Reason.valueOf(r.getReason().name()),
                        r.getCurrent(), r.getStep(), r.getDetail());
            }
            case SWAP_REQUESTED -> new RunEvent.SwapRequested(e.getSwapRequested().getRequested(), e.getSwapRequested().getStep());
            case EVALUATION_FAILED -> new RunEvent.EvaluationFailed(e.getEvaluationFailed().getStep(),
                    e.getEvaluationFailed().getDetail());
            case NOTE -> new RunEvent.Note(e.getNote().getStep(), e.getNote().getText());
            case AGENT_CREATED -> {
                AgentCreated c = e.getAgentCreated();
                yield new RunEvent.AgentCreated(c.getAgent(), c.getStep(), c.getCheckpoint(), c.getCheckpointLoaded(), c.getDetail());
            }
            case AGENT_FAILED -> new RunEvent.AgentFailed(e.getAgentFailed().getAgent(), e.getAgentFailed().getStep(),
                    e.getAgentFailed().getDetail());
            case AGENT_RETIRED -> new RunEvent.AgentRetired(e.getAgentRetired().getAgent(), e.getAgentRetired().getStep(),
                    e.getAgentRetired().getWhy());
            case RUN_STARTED -> new RunEvent.RunStarted(e.getRunStarted().getStep());
            case RUN_PAUSED -> {
                RunPaused p = e.getRunPaused();
                yield new RunEvent.RunPaused(RunEvent.RunPaused.Reason.valueOf(p.getReason().name()), p.getAgent(), p.getStep(),
                        p.getDetail(), p.getServiceType(), p.getServiceName());
            }
            case SERVICE_BOUND -> {
                ServiceBound sb = e.getServiceBound();
                yield new RunEvent.ServiceBound(sb.getAgent(), sb.getStep(), sb.getServiceType(), sb.getServiceName(),
                        sb.getProvider(), sb.getProviderVersion(), sb.getRebound());
            }
            case SERVICE_GONE -> {
                ServiceGone sg = e.getServiceGone();
                yield new RunEvent.ServiceGone(sg.getAgent(), sg.getStep(), sg.getServiceType(), sg.getServiceName(),
                        sg.getProvider(), sg.getProviderVersion());
            }
            case AGENT_WARMED_UP -> {
                AgentWarmedUp w = e.getAgentWarmedUp();
                yield new RunEvent.AgentWarmedUp(w.getAgent(), w.getStep(), w.getUpdates(), w.getSeconds());
            }
            case CLEANUP_FAILED -> new RunEvent.CleanupFailed(e.getCleanupFailed().getStep(),
                    RunEvent.CleanupFailed.Part.valueOf(e.getCleanupFailed().getPart().name()), e.getCleanupFailed().getDetail());
            case SERVICE_FAILED -> {
                ServiceFailed sf = e.getServiceFailed();
                yield new RunEvent.ServiceFailed(sf.getAgent(), sf.getStep(), sf.getServiceType(), sf.getServiceName(),
                        sf.getProvider(), sf.getProviderVersion(), sf.getReason());
            }
            case RUN_RESUMED -> new RunEvent.RunResumed(e.getRunResumed().getStep());
            case RUN_ENDED -> new RunEvent.RunEnded(fromProto(e.getRunEnded().getState()), e.getRunEnded().getStep(),
                    e.getRunEnded().getWhy());
            case CHECKPOINT_WRITTEN -> {
                CheckpointWritten w = e.getCheckpointWritten();
                yield new RunEvent.CheckpointWritten(w.getAgent(), w.getStep(), w.getDirectory(), w.getReason());
            }
            case CHECKPOINT_FAILED -> {
                CheckpointFailed f = e.getCheckpointFailed();
                yield new RunEvent.CheckpointFailed(f.getAgent(), f.getStep(), f.getPruning(), f.getDetail());
            }
            case DAMAGED_CHECKPOINT_SKIPPED -> {
                DamagedCheckpointSkipped d = e.getDamagedCheckpointSkipped();
                yield new RunEvent.DamagedCheckpointSkipped(d.getCheckpoint(), d.getStep(), d.getWhy(), d.getResumedFrom());
            }
            case EVALUATION_FINISHED -> new RunEvent.EvaluationFinished(e.getEvaluationFinished().getStep(),
                    e.getEvaluationFinished().getMeanReturn(), e.getEvaluationFinished().getEpisodes(),
                    e.getEvaluationFinished().getMeanInfosMap());
            case EVALUATION_VIDEO_WRITTEN -> new RunEvent.EvaluationVideoWritten(e.getEvaluationVideoWritten().getStep(),
                    e.getEvaluationVideoWritten().getPath());
            case EXPERIENCE_RECOVERED -> {
                ExperienceRecovered x = e.getExperienceRecovered();
                yield new RunEvent.ExperienceRecovered(x.getStep(), x.getSteps(), x.getChunks(), x.getFinishedEpisodes(),
                        x.getDroppedChunks(), x.getProblems());
            }
            case KIND_NOT_SET -> null;
        };
    }

    /** A run state's wire form. */
    public static io.worldgate.proto.service.v1.RunState toProto(RunState state) {
        return io.worldgate.proto.service.v1.RunState.valueOf(state.name());
    }

    /**
     * The run state a wire form stands for.
     *
     * @throws IllegalArgumentException for a state unset or newer than this client
     */
    public static RunState fromProto(io.worldgate.proto.service.v1.RunState state) {
        if (state == io.worldgate.proto.service.v1.RunState.RUN_STATE_UNSPECIFIED
                || state == io.worldgate.proto.service.v1.RunState.UNRECOGNIZED) {
            throw new IllegalArgumentException("run state " + state + " is not known to this client");
        }
        return RunState.valueOf(state.name());
    }
}
