package io.worldgate.gateway.testplugins.errorinact;

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

/** An agent whose act throws an Error (not an Exception), as a class missing at run time would. */
@Component(service = AgentFactory.class)
public class ErrorInActFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("error-in-act");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                throw new NoClassDefFoundError("com/example/Gone");
            }
        };
    }
}
