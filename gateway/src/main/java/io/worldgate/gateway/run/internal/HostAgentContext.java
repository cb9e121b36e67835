package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * What the host lends an agent: the run's experience, metrics, directory, population evaluator
 * (a training run's only), and other plugins' services.
 */
public record HostAgentContext(Experience experience, Optional<EpisodeRunner> episodeRunner, MetricsSink metrics,
        Path workDirectory, long seed, String device, BundleContext bundleContext,
        Optional<PopulationEvaluator> populationEvaluator) implements AgentContext {

    /** A context without a population evaluator. */
    public HostAgentContext(Experience experience, Optional<EpisodeRunner> episodeRunner, MetricsSink metrics,
            Path workDirectory, long seed, String device, BundleContext bundleContext) {
        this(experience, episodeRunner, metrics, workDirectory, seed, device, bundleContext, Optional.empty());
    }

    /** Service property naming a service offered to agents, for {@link #service}. */
    public static final String SERVICE_NAME_PROPERTY = "worldgate.service.name";

    @Override
    public <S> Optional<S> service(Class<S> type, String name) {
        if (bundleContext == null) {
            return Optional.empty();
        }
        try {
            Collection<ServiceReference<S>> refs = bundleContext.getServiceReferences(type,
                    "(" + SERVICE_NAME_PROPERTY + "=" + name + ")");
            return refs.stream().findFirst().map(bundleContext::getService);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad service name '" + name + "'", e);
        }
    }
}
