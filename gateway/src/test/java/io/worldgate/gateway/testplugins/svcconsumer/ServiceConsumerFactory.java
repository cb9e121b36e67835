package io.worldgate.gateway.testplugins.svcconsumer;

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
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** An agent that cannot work without the {@code probe} image encoder and calls it in every act and train. */
@Component(service = AgentFactory.class)
public class ServiceConsumerFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("svc-consumer");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        ImageEncoder encoder = context.requireService(ImageEncoder.class, "probe");
        return new TestAgent() {
            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                encoder.featureSize();
                return super.act(observations, mode);
            }

            @Override
            public Map<String, Double> train(int updates) {
                return Map.of("probe/features", (double) encoder.featureSize());
            }
        };
    }
}
