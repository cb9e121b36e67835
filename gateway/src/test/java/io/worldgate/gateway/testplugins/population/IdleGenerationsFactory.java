package io.worldgate.gateway.testplugins.population;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import org.osgi.service.component.annotations.Component;

/** Declares the GENERATIONS cadence but its generations never evaluate: they would never spend the budget. */
@Component(service = AgentFactory.class)
public class IdleGenerationsFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("idle-generations").withCadence(TrainingCadence.GENERATIONS);
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent();
    }
}
