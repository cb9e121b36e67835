package io.worldgate.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RunEventsProtoTest {

    /** One of each kind, every field set to something other than its default. */
    private static final List<RunEvent> ONE_OF_EACH = List.of(
            new RunEvent.AgentSwapped("a@1", "a@2", 5, RunEvent.AgentSwapped.Cause.PLUGIN_REPLACED, true),
            new RunEvent.SwapRejected("b", RunEvent.SwapRejected.Reason.NOT_DEPLOYED, "a@1", 6, "only a"),
            new RunEvent.Note(7, "WARNING: something"),
            new RunEvent.SwapRequested("a@2", 4),
            new RunEvent.EvaluationFailed(17, "EnvException: the worker died"),
            new RunEvent.AgentCreated("a@2", 8, "0003-step8-a-2", false, "format 3"),
            new RunEvent.AgentFailed("a@2", 9, "failed in act: boom"),
            new RunEvent.AgentRetired("a@2", 10, "run stopped"),
            new RunEvent.RunStarted(11),
            new RunEvent.RunPaused(RunEvent.RunPaused.Reason.AGENT_FAILED, "a", 12, "deploy a fixed version"),
            new RunEvent.RunPaused(RunEvent.RunPaused.Reason.SERVICE_GONE, "d", 12, "deploy it", "x.ImageEncoder", "mae"),
            new RunEvent.ServiceBound("d@1", 20, "x.ImageEncoder", "mae", "com.example.mae", "1.0.2", true),
            new RunEvent.ServiceGone("d@1", 21, "x.ImageEncoder", "mae", "com.example.mae", "1.0.1"),
            new RunEvent.AgentWarmedUp("tdmpc2@1.0.0", 22, 100, 3.5),
            new RunEvent.ServiceFailed("dreamer", 0, "x.ImageEncoder", "mae", "io.worldgate.mae", "0.1.0",
                    "-Dworldgate.mae.weights=/w: NoSuchFileException: /w"),
            new RunEvent.RunResumed(13),
            new RunEvent.CleanupFailed(14, RunEvent.CleanupFailed.Part.ENVIRONMENTS, "NoClassDefFoundError: x/Gone"),
            new RunEvent.RunEnded(RunState.STOPPED, 14, "stopped at step 14"),
            new RunEvent.CheckpointWritten("a@2", 15, "0004-step15-a-2", "periodic"),
            new RunEvent.CheckpointFailed("a@2", 16, true, "disk full"),
            new RunEvent.DamagedCheckpointSkipped("0005-step20-a-2", 15, "weights.bin is missing", "0004-step15-a-2"),
            new RunEvent.EvaluationFinished(17, 123.5, 4, Map.of("success", 0.25, "near_object", 1.0)),
            new RunEvent.EvaluationVideoWritten(18, "videos/eval-step18.gif"),
            new RunEvent.ExperienceRecovered(19, 1000, 3, 12, 1, "chunk 4 is torn"));

    @Test
    void everyKindOfEventReadsBackAsTheSameTypedEvent() {
        for (RunEvent e : ONE_OF_EACH) {
            io.worldgate.proto.service.v1.RunEvent wire = RunEventsProto.toProto(e);
            assertThat(wire.getKindCase()).as(e.toString()).isNotEqualTo(io.worldgate.proto.service.v1.RunEvent.KindCase.KIND_NOT_SET);
            assertThat(RunEventsProto.fromProto(wire, -1, "unused")).isEqualTo(e);
        }
    }

    @Test
    void theSamplesCoverEveryKindOfEvent() {
        Set<Class<?>> sampled = ONE_OF_EACH.stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(kinds(RunEvent.class));
    }

    @Test
    void anEventOfAKindNewerThanTheClientIsANoteOfItsText() {
        RunEvent e = RunEventsProto.fromProto(io.worldgate.proto.service.v1.RunEvent.getDefaultInstance(), 42, "from the future");
        assertThat(e).isEqualTo(new RunEvent.Note(42, "from the future"));
    }

    @Test
    void everyRunStateHasAWireForm() {
        for (RunState s : RunState.values()) {
            assertThat(RunEventsProto.fromProto(RunEventsProto.toProto(s))).isEqualTo(s);
        }
    }

    private static List<Class<?>> kinds(Class<?> sealed) {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> c : sealed.getPermittedSubclasses()) {
            if (c.isSealed()) {
                out.addAll(kinds(c));
            } else {
                out.add(c);
            }
        }
        return out;
    }
}
