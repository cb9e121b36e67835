package ${package};

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.space.DictSpace;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The worked example of a population-based agent: {@link PopulationAgent}, the cross-entropy
 * method, offered as {@code ${agentName}-cem}. Its descriptor declares
 * {@link TrainingCadence#GENERATIONS}: the host does not act with it while training, it calls
 * {@code train(1)} (one generation) until the run's step budget is spent, and the generation
 * spends that budget through the host's population evaluator. Delete this class, its agent, its
 * preset and tests if your agent learns from replayed steps instead.
 */
@Component(service = AgentFactory.class)
public final class PopulationAgentFactory implements AgentFactory {

    /** The agent's name: {@code train --agent ${agentName}-cem}. */
    public static final String NAME = "${agentName}-cem";

    static final List<ConfigKey> CONFIG_KEYS = List.of(
            ConfigKey.integer("population", 16, 2, 4096, "candidates scored per generation"),
            ConfigKey.integer("elite", 4, 1, 4096, "best candidates the search distribution is refit to"),
            ConfigKey.integer("episodes_per_candidate", 1, 1, 1000, "whole episodes each candidate's score averages"),
            ConfigKey.decimal("initial_std", 1.0, 1e-6, 100, "standard deviation of every weight at the start"),
            ConfigKey.decimal("min_std", 0.05, 0, 100, "floor of every weight's standard deviation"));

    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "Cross-entropy method over a linear policy on the state vector (a worked example of a population-based agent).",
            EnumSet.of(ActionKind.DISCRETE, ActionKind.CONTINUOUS),
            Set.of(DictSpace.STATE),
            CONFIG_KEYS,
            ConfigPresets.load(PopulationAgentFactory.class, "cem-presets", "default"),
            "default").withCadence(TrainingCadence.GENERATIONS);

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        int population = config.getInt("population");
        int elite = config.getInt("elite");
        if (elite > population) {
            throw new AgentException("elite (" + elite + ") must not exceed population (" + population + ")");
        }
        // Only a training run lends an evaluator; without one (evaluate, Python-driven runs) the
        // agent still acts with its mean policy, and a generation asked of it fails with this message.
        PopulationEvaluator evaluator = context.populationEvaluator().orElse(null);
        PopulationAgent.Settings settings = new PopulationAgent.Settings(population, elite,
                config.getInt("episodes_per_candidate"), config.getDouble("initial_std"), config.getDouble("min_std"));
        return new PopulationAgent(spec, settings, evaluator, context.metrics(), context.seed());
    }
}
