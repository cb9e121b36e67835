package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.testkit.AgentContractTest;
import java.util.EnumSet;
import java.util.Map;

/**
 * Dreamer with {@code planner=cem} keeps the agent contract on the continuous test specs (the
 * factory below declares only continuous actions, as the planner accepts no others).
 */
class DreamerCemContractTest extends AgentContractTest {
    @Override
    protected AgentFactory factory() {
        AgentFactory dreamer = new DreamerAgentFactory();
        AgentDescriptor d = dreamer.descriptor();
        AgentDescriptor continuous = new AgentDescriptor(d.name(), d.description(), EnumSet.of(ActionKind.CONTINUOUS),
                d.observationKeys(), d.configKeys(), d.presets(), d.defaultPreset(), d.defaultTrainRatio(), d.cadence());
        return new AgentFactory() {
            @Override
            public AgentDescriptor descriptor() {
                return continuous;
            }

            @Override
            public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
                return dreamer.create(spec, config, context);
            }
        };
    }

    @Override
    protected String preset() {
        return "debug";
    }

    @Override
    protected Map<String, String> config() {
        return DreamerPlannerTest.CEM;
    }

    /** The CEM's candidates come from the engine's generator, which a checkpoint does not carry. */
    @Override
    protected boolean evaluationRepeatsAfterLoad() {
        return false;
    }
}
