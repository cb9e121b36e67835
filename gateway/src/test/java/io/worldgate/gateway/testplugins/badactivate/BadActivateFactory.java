package io.worldgate.gateway.testplugins.badactivate;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** A component whose activation fails, so it never offers its factory. */
@Component(service = AgentFactory.class, immediate = true)
public class BadActivateFactory implements AgentFactory {
    @Activate
    void activate() {
        throw new IllegalStateException("license key missing");
    }

    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("bad-activate");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent();
    }
}
