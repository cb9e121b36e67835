package io.worldgate.gateway.testplugins.wrongshape;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.testplugins.common.TestAgent;
import org.osgi.service.component.annotations.Component;

/** An agent that returns one action too many. */
@Component(service = AgentFactory.class)
public class WrongShapeFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("wrong-shape");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                int n = observations.size() + 1;
                return Tensor.ofInts(new int[n], n);
            }
        };
    }
}
