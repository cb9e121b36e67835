package io.worldgate.gateway.testplugins.population;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * An agent of the replay-ratio cadence that, each time it trains, scores two always-left
 * candidates for two episodes each with the population evaluator, in the middle of the run's
 * own episodes. Reports the evaluation's steps as {@code pop/steps}.
 */
@Component(service = AgentFactory.class)
public class EvaluateInTrainFactory implements AgentFactory {
    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("evaluate-in-train");
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        return new TestAgent() {
            @Override
            public Map<String, Double> train(int updates) {
                Policy left = obs -> Tensor.ofInts(new int[obs.size()], obs.size());
                PopulationScores scores = context.populationEvaluator().orElseThrow().evaluate(List.of(left, left), 2);
                context.metrics().scalar("pop/steps", scores.steps());
                return Map.of();
            }
        };
    }
}
