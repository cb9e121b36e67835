package ${package};

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
 * What this plugin offers the Worldgate host: a Declarative Services component providing
 * {@link AgentFactory}. bnd turns the {@code @Component} annotation into the component XML at build
 * time; the host finds the factory as soon as the bundle is active.
 *
 * <p>Keep this class cheap to construct and free of side effects: the host may look at the
 * descriptor often and create agents from several threads over the plugin's life.
 */
@Component(service = AgentFactory.class)
public final class PluginAgentFactory implements AgentFactory {

    /** The agent's name: {@code train --agent ${agentName}}. */
    public static final String NAME = "${agentName}";

    /**
     * Every key the agent accepts, with type, default and range. Users set them with
     * {@code --set key=value}; presets set several at once.
     */
    static final List<ConfigKey> CONFIG_KEYS = List.of(
            ConfigKey.decimal("action_scale", 1.0, 0.0, 1.0,
                    "fraction of each box dimension's range that is sampled, around its centre"));

    // Presets are data: one src/main/resources/presets/<name>.properties file per preset name.
    // A preset file that is missing makes this class fail to load, and the component fail to
    // activate: 'worldgate plugins list' shows it.
    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "Uniform random actions (the starting point of the ${agentName} plugin).",
            EnumSet.of(ActionKind.DISCRETE, ActionKind.CONTINUOUS),
            Set.of(), // observation keys the agent needs; empty: any
            CONFIG_KEYS,
            ConfigPresets.load(PluginAgentFactory.class, "presets", "default"),
            "default");

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /**
     * Creates an agent. {@code config} is already resolved (defaults, then the preset, then the
     * user's {@code --set} values) and validated against {@link #CONFIG_KEYS}. Throw
     * {@link io.worldgate.api.agent.AgentException} with a message for the user when the agent
     * cannot be created.
     */
    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new PluginAgent(spec, config.getDouble("action_scale"), context.seed());
    }
}
