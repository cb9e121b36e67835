package io.worldgate.gateway.testplugins.badcreate;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import org.osgi.service.component.annotations.Component;

/** A factory whose create always throws. */
@Component(service = AgentFactory.class)
public class BadCreateFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("bad-create");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        throw new IllegalStateException("weights file /nonexistent/model.bin not found");
    }
}
