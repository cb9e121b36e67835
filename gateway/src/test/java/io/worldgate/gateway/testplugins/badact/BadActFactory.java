package io.worldgate.gateway.testplugins.badact;

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

/** An agent that acts fine 10 times, then throws. */
@Component(service = AgentFactory.class)
public class BadActFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("bad-act");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            private int calls;

            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                if (++calls > 10) {
                    throw new ArithmeticException("division by zero in policy head");
                }
                return super.act(observations, mode);
            }
        };
    }
}
