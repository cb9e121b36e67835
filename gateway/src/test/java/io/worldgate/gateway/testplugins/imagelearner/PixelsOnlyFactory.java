package io.worldgate.gateway.testplugins.imagelearner;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.learner.LearnerFactory;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** A learner that needs a {@code pixels} observation, which no test environment has: it is never created. */
@Component(service = LearnerFactory.class)
public class PixelsOnlyFactory implements LearnerFactory {
    @Override
    public LearnerDescriptor descriptor() {
        return new LearnerDescriptor("pixels-only", "needs pixels", Set.of("pixels"), List.of());
    }

    @Override
    public Learner create(LearnerContext context, AgentConfig config) {
        throw new AssertionError("the host creates no learner for experience it cannot use");
    }
}
