package io.worldgate.gateway.testplugins.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Plugin code that runs a forward and backward pass on DJL imported from the host:
 * y = sum_i w_i x_i^2 with x = (1, 2, 3), w = (0.5, -1, 2), so y = 0.5 - 4 + 18 = 14.5 and
 * dy/dw_i = x_i^2 = (1, 4, 9).
 */
@Component(service = AgentFactory.class)
public class DjlProbeFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("djl-probe");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            @Override
            public Map<String, Double> train(int updates) {
                try (NDManager manager = NDManager.newBaseManager()) {
                    NDArray x = manager.create(new float[] {1, 2, 3});
                    NDArray w = manager.create(new float[] {0.5f, -1, 2});
                    w.setRequiresGradient(true);
                    float y;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray out = x.mul(x).mul(w).sum();
                        collector.backward(out);
                        y = out.getFloat();
                    }
                    float[] g = w.getGradient().toFloatArray();
                    return Map.of("y", (double) y, "grad0", (double) g[0], "grad1", (double) g[1], "grad2", (double) g[2]);
                }
            }
        };
    }
}
