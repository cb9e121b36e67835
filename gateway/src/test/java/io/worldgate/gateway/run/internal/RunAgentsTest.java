package io.worldgate.gateway.run.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.ExperienceStore;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.testplugins.common.TestAgent;
import io.worldgate.testkit.RecordingMetricsSink;
import io.worldgate.testkit.TestSpecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run's agents are made from its checkpoint and retired to one, told as typed events. */
class RunAgentsTest {
    private static final EnvSpec SPEC = TestSpecs.everyKind(2).get(0);

    @TempDir
    Path tmp;

    private final List<RunEvent> events = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private Path checkpoint;
    private AgentContext context;

    /** An agent whose {@code load} throws {@code onLoad} (null: it loads) and that records its calls. */
    private final class Recorded implements Agent {
        private final Exception onLoad;
        private final RuntimeException onClose;

        Recorded(Exception onLoad, RuntimeException onClose) {
            this.onLoad = onLoad;
            this.onClose = onClose;
        }

        @Override
        public Tensor act(StepBatch observations, ActMode mode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Double> train(int updates) {
            return Map.of();
        }

        @Override
        public void save(Path directory) {}

        @Override
        public void load(Path directory) throws IOException, IncompatibleCheckpointException {
            calls.add("load " + directory.getFileName());
            if (onLoad instanceof IOException e) {
                throw e;
            }
            if (onLoad instanceof IncompatibleCheckpointException e) {
                throw e;
            }
            if (onLoad instanceof RuntimeException e) {
                throw e;
            }
        }

        @Override
        public void close() {
            calls.add("close");
            if (onClose != null) {
                throw onClose;
            }
        }
    }

    private RuntimeException warmUpFailure;

    private final RunAgents.Run run = new RunAgents.Run() {
        @Override
        public long step() {
            return 42;
        }

        @Override
        public EnvSpec spec() {
            return SPEC;
        }

        @Override
        public AgentContext context(ServiceBindings services) {
            context = new HostAgentContext(ExperienceStore.inMemory(SPEC), Optional.empty(), new RecordingMetricsSink(), tmp, 7,
                    "cpu", services);
            return context;
        }

        @Override
        public Optional<Path> lastCheckpoint() {
            return Optional.ofNullable(checkpoint);
        }

        @Override
        public void checkpoint(FactoryHandle handle, Agent agent, String why) {
            calls.add("checkpoint " + handle.label() + " " + why);
        }

        @Override
        public void warmUp(FactoryHandle handle, Agent agent) {
            calls.add("warm up " + handle.label());
            if (warmUpFailure != null) {
                throw warmUpFailure;
            }
        }

        @Override
        public void waiting(RunEvent.RunPaused why) {
            events.add(why);
        }

        @Override
        public void event(RunEvent event) {
            events.add(event);
        }
    };

    private final RunAgents agents = new RunAgents("r", null, Map.of(), run);

    private static FactoryHandle handle(Agent agent, List<AgentContext> given) {
        AgentFactory f = new AgentFactory() {
            @Override
            public AgentDescriptor descriptor() {
                return TestAgent.descriptor("a");
            }

            @Override
            public Agent create(EnvSpec spec, AgentConfig config, AgentContext ctx) {
                given.add(ctx);
                return agent;
            }
        };
        return new FactoryHandle("a", 1, "test.a", "1.0.0", 1, f);
    }

    @Test
    void aFirstAgentStartsFreshWithTheRunsContextAndIsRemembered() {
        List<AgentContext> given = new ArrayList<>();
        Recorded agent = new Recorded(null, null);
        AgentSlot.Created created = agents.create(handle(agent, given), null);
        assertThat(created.agent()).isSameAs(agent);
        assertThat(created.loadedCheckpoint()).isFalse();
        assertThat(given).containsExactly(context);
        assertThat(calls).isEmpty();
        assertThat(events).containsExactly(new RunEvent.AgentCreated("a@1.0.0", 42, "", false, ""));
        assertThat(agents.lastLabel()).isEqualTo("a@1.0.0");
        assertThat(agents.classLoader().get()).isSameAs(Recorded.class.getClassLoader());
    }

    @Test
    void aNewAgentLoadsTheLatestCheckpoint() {
        checkpoint = tmp.resolve("0003-step40-a-1.0.0");
        AgentSlot.Created created = agents.create(handle(new Recorded(null, null), new ArrayList<>()), null);
        assertThat(created.loadedCheckpoint()).isTrue();
        assertThat(calls).containsExactly("load 0003-step40-a-1.0.0");
        assertThat(events).containsExactly(new RunEvent.AgentCreated("a@1.0.0", 42, "0003-step40-a-1.0.0", true, ""));
    }

    @Test
    void anIncompatibleCheckpointIsToldAndTheAgentStartsFresh() {
        checkpoint = tmp.resolve("0001-step8-a-1.0.0");
        Recorded agent = new Recorded(new IncompatibleCheckpointException("format 3, expected 4"), null);
        AgentSlot.Created created = agents.create(handle(agent, new ArrayList<>()), null);
        assertThat(created.agent()).isSameAs(agent);
        assertThat(created.loadedCheckpoint()).isFalse();
        assertThat(calls).as("the agent is kept, not closed, and trains on the run's experience before it acts")
                .containsExactly("load 0001-step8-a-1.0.0", "warm up a@1.0.0");
        assertThat(events).containsExactly(new RunEvent.AgentCreated("a@1.0.0", 42, "0001-step8-a-1.0.0", false, "format 3, expected 4"));
    }

    @Test
    void anAgentWhoseWarmUpFailsIsClosedAndTheCreationFails() {
        checkpoint = tmp.resolve("0001-step8-a-1.0.0");
        warmUpFailure = new IllegalStateException("NaN loss");
        Recorded agent = new Recorded(new IncompatibleCheckpointException("another family"), null);
        assertThatThrownBy(() -> agents.create(handle(agent, new ArrayList<>()), null)).isSameAs(warmUpFailure);
        assertThat(calls).containsExactly("load 0001-step8-a-1.0.0", "warm up a@1.0.0", "close");
    }

    @Test
    void anAgentThatLoadsTheCheckpointIsNotWarmedUp() {
        checkpoint = tmp.resolve("0003-step40-a-1.0.0");
        agents.create(handle(new Recorded(null, null), new ArrayList<>()), null);
        assertThat(calls).containsExactly("load 0003-step40-a-1.0.0");
    }

    @Test
    void aCheckpointThatCannotBeReadClosesTheAgentAndFailsTheCreation() {
        checkpoint = tmp.resolve("0001-step8-a-1.0.0");
        assertThatThrownBy(() -> agents.create(handle(new Recorded(new IOException("truncated"), null), new ArrayList<>()), null))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("truncated");
        assertThat(calls).containsExactly("load 0001-step8-a-1.0.0", "close");
        assertThat(events).isEmpty();
    }

    @Test
    void aLoadThatThrowsUncheckedClosesTheAgentSoItsNativeMemoryIsNotLeaked() {
        checkpoint = tmp.resolve("0001-step8-a-1.0.0");
        Recorded agent = new Recorded(new IllegalStateException("shape mismatch"), null);
        assertThatThrownBy(() -> agents.create(handle(agent, new ArrayList<>()), null))
                .isInstanceOf(IllegalStateException.class).hasMessage("shape mismatch");
        assertThat(calls).containsExactly("load 0001-step8-a-1.0.0", "close");
        assertThat(events).isEmpty();
    }

    @Test
    void retiringCheckpointsThenClosesAndToldEvenWhenCloseThrows() {
        FactoryHandle h = handle(new Recorded(null, null), new ArrayList<>());
        agents.retire(h, new Recorded(null, new IllegalStateException("native memory")), "newer a@2.0.0 deployed");
        assertThat(calls).containsExactly("checkpoint a@1.0.0 newer a@2.0.0 deployed", "close");
        assertThat(events).containsExactly(new RunEvent.AgentRetired("a@1.0.0", 42, "newer a@2.0.0 deployed"));
    }
}
