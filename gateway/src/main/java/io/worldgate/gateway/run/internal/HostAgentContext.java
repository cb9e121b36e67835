package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the host lends an agent: the run's experience, metrics, directory, population evaluator
 * (a training run's only), and other plugins' services, bound to this agent through
 * {@code services} (released by whoever closes the agent).
 */
public record HostAgentContext(Experience experience, Optional<EpisodeRunner> episodeRunner, MetricsSink metrics,
        Path workDirectory, long seed, String device, ServiceBindings services,
        Optional<PopulationEvaluator> populationEvaluator) implements AgentContext {

    /** A context without a population evaluator. */
    public HostAgentContext(Experience experience, Optional<EpisodeRunner> episodeRunner, MetricsSink metrics,
            Path workDirectory, long seed, String device, ServiceBindings services) {
        this(experience, episodeRunner, metrics, workDirectory, seed, device, services, Optional.empty());
    }

    /** Service property naming a service offered to agents, for {@link #service}. */
    public static final String SERVICE_NAME_PROPERTY = ServiceBindings.SERVICE_NAME_PROPERTY;

    @Override
    public <S> Optional<S> service(Class<S> type, String name) {
        return services.get(type, name);
    }
}
