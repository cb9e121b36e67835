package io.worldgate.gateway.testplugins.svclazy;

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
import io.worldgate.runtime.nn.ImageEncoder;
import org.osgi.service.component.annotations.Component;

/** An agent that looks the {@code probe} encoder up only in {@code act}, and needs it there. */
@Component(service = AgentFactory.class)
public class LazyConsumerFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("svc-lazy");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                context.requireService(ImageEncoder.class, "probe").featureSize();
                return super.act(observations, mode);
            }
        };
    }
}
