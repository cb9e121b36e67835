package io.worldgate.gateway.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.testplugins.common.TestAgent;
import io.worldgate.testkit.RecordingMetricsSink;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCreationTest {
    private static final EnvSpec DISCRETE = TestSpecs.everyKind(2).get(0);
    private static final EnvSpec BOX = TestSpecs.everyKind(2).get(1);

    @TempDir
    Path tmp;

    /** A discrete-only factory that records what it was given, and returns {@code agent}. */
    private static final class Recording implements AgentFactory {
        final AtomicReference<AgentConfig> config = new AtomicReference<>();
        final AtomicReference<AgentContext> context = new AtomicReference<>();
        final Agent agent;

        Recording(Agent agent) {
            this.agent = agent;
        }

        @Override
        public AgentDescriptor descriptor() {
            return new AgentDescriptor("rec", "", EnumSet.of(ActionKind.DISCRETE), Set.of(),
                    List.of(ConfigKey.integer("width", 8, 1, 1024, ""), ConfigKey.integer("depth", 2, 1, 16, "")),
                    Map.of("wide", Map.of("width", "512")), null);
        }

        @Override
        public Agent create(EnvSpec spec, AgentConfig c, AgentContext ctx) {
            config.set(c);
            context.set(ctx);
            return agent;
        }
    }

    private static FactoryHandle handle(AgentFactory f) {
        return new FactoryHandle("rec", 1, "test.rec", "1.0.0", 1, f);
    }

    private AgentContext context() {
        return AgentCreation.context(ExperienceStore.inMemory(DISCRETE), Optional.empty(), new RecordingMetricsSink(), tmp, 7, "cpu",
                null);
    }

    @Test
    void theAgentGetsDefaultsThenThePresetThenTheOverridesAndTheContextItWasLent() {
        Recording f = new Recording(new TestAgent());
        AgentContext context = context();
        Agent agent = AgentCreation.create(handle(f), DISCRETE, "wide", Map.of("depth", "3"), context);
        assertThat(agent).isSameAs(f.agent);
        assertThat(f.config.get().getInt("width")).isEqualTo(512);
        assertThat(f.config.get().getInt("depth")).isEqualTo(3);
        assertThat(f.context.get()).isSameAs(context);
        assertThat(f.context.get().seed()).isEqualTo(7);
        assertThat(f.context.get().device()).isEqualTo("cpu");
        assertThat(f.context.get().workDirectory()).isEqualTo(tmp);
    }

    @Test
    void aBlankPresetIsTheAgentsDefault() {
        Recording f = new Recording(new TestAgent());
        AgentCreation.create(handle(f), DISCRETE, " ", Map.of(), context());
        assertThat(f.config.get().getInt("width")).isEqualTo(8);
    }

    @Test
    void anEnvTheAgentCannotActInIsRefusedBeforeTheFactoryIsCalled() {
        Recording f = new Recording(new TestAgent());
        assertThatThrownBy(() -> AgentCreation.create(handle(f), BOX, null, Map.of(), context()))
                .isInstanceOf(IllegalArgumentException.class).isNotInstanceOf(ConfigException.class);
        assertThat(f.config.get()).isNull();
    }

    @Test
    void anUnknownKeyIsAConfigErrorAndANullAgentAnError() {
        assertThatThrownBy(() -> AgentCreation.create(handle(new Recording(new TestAgent())), DISCRETE, null, Map.of("nope", "1"),
                context())).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> AgentCreation.create(handle(new Recording(null)), DISCRETE, null, Map.of(), context()))
                .isInstanceOf(IllegalStateException.class);
    }
}
