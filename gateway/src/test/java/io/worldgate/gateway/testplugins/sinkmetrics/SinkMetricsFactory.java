package io.worldgate.gateway.testplugins.sinkmetrics;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * An agent that reports through its context's metrics sink, not only in what train returns: a
 * scalar, a file, and on each call of train an image (uint8 [8, 12, 3]) and a video of 4 such frames at 5 fps.
 */
@Component(service = AgentFactory.class)
public class SinkMetricsFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("sink-metrics");
    }

    /** {@code n} frames [8, 12, 3]: a bright column moving right over a dark background. */
    static Tensor frames(int n) {
        Tensor t = Tensor.allocate(DType.UINT8, n, 8, 12, 3);
        for (int f = 0; f < n; f++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 12; x++) {
                    for (int c = 0; c < 3; c++) {
                        t.setDouble((((long) f * 8 + y) * 12 + x) * 3 + c, x == 2 * f ? 250 : 20 + 30 * c);
                    }
                }
            }
        }
        return t;
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
                context.metrics().image("sink/frame", frames(1).reshape(8, 12, 3));
                context.metrics().video("sink/clip", frames(4), 5);
                return Map.of("loss", 1.0 / updates);
            }
        };
    }
}
