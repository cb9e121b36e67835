package io.worldgate.gateway.testplugins.sinkmetrics;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** An agent that reports through its context's metrics sink, not only in what train returns. */
@Component(service = AgentFactory.class)
public class SinkMetricsFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("sink-metrics");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            private int updates;

            @Override
            public Map<String, Double> train(int n) {
                updates += n;
                context.metrics().scalar("sink/updates", updates);
                Path notes = context.workDirectory().resolve("notes.txt");
                try {
                    Files.writeString(notes, "trained " + updates);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                context.metrics().file("sink/notes", notes);
                return Map.of("loss", 1.0 / updates);
            }
        };
    }
}
