package io.worldgate.plugin.worldmodels;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.space.Spaces;
import java.util.EnumSet;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The World Models plugin's factory (Ha and Schmidhuber, NeurIPS 2018), for 64x64 RGB frames and
 * discrete or continuous actions; it drives its own generations.
 *
 * <p>Presets ({@code src/main/resources/presets}): {@code carracing} (the default) and
 * {@code doom}, the paper's values for its two tasks; {@code carracing_cpu} and {@code doom_cpu},
 * scaled down for a CPU (each file says what it scales down); {@code carracing_fast}, CarRacing in
 * minutes on one fixed track; {@code debug}, tiny, for tests.
 */
@Component(service = AgentFactory.class)
public final class WorldModelsAgentFactory implements AgentFactory {
    static final String NAME = "worldmodels";

    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "World Models: VAE (V) + MDN-RNN (M) + controller (C) evolved by CMA-ES, in the real env or in M's dream.",
            EnumSet.of(ActionKind.DISCRETE, ActionKind.CONTINUOUS),
            Set.of(Spaces.IMAGE),
            WorldModelsConfig.keys(),
            ConfigPresets.load(WorldModelsAgentFactory.class, "presets", "carracing", "doom", "carracing_cpu",
                    "carracing_fast", "doom_cpu", "debug"),
            "carracing")
            .withCadence(TrainingCadence.GENERATIONS);

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new WorldModelsAgent(spec, WorldModelsConfig.from(config), context);
    }
}
