package io.worldgate.plugin.random;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.env.EnvSpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The random agent's factory. This class is the whole of what a plugin must provide to the host:
 * a Declarative Services component offering {@link AgentFactory}. Copy this plugin to start your
 * own (see the plugin author's guide in docs/plugins.md).
 */
@Component(service = AgentFactory.class)
public final class RandomAgentFactory implements AgentFactory {

    static final String NAME = "random";

    // Presets are data, kept in src/main/resources/presets/<name>.properties.
    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "Uniform random actions; the reference plugin and template for new agents.",
            EnumSet.of(ActionKind.DISCRETE, ActionKind.CONTINUOUS),
            Set.of(),
            List.of(
                    ConfigKey.decimal("action_scale", 1.0, 0.0, 1.0,
                            "fraction of each box dimension's range that is sampled, around its centre"),
                    ConfigKey.integer("act_delay_ms", 0, 0, 10_000,
                            "sleep before each act, to simulate a slow agent in tests and demos")),
            ConfigPresets.load(RandomAgentFactory.class, "presets", "default", "gentle"),
            "default");

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new RandomAgent(spec, config.getDouble("action_scale"), config.getInt("act_delay_ms"), context.seed());
    }
}
