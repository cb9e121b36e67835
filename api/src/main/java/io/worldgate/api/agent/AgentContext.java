package io.worldgate.api.agent;

import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.Optional;

/** What the host lends an agent for its lifetime. */
public interface AgentContext {

    /** The run's experience, written by the host. */
    Experience experience();

    /**
     * Runs whole episodes with a policy of the agent's own, on environments opened for the call;
     * empty where the host cannot. To score a population, prefer {@link #populationEvaluator()}.
     */
    Optional<EpisodeRunner> episodeRunner();

    /**
     * Scores candidate policies on the run's own environments, their steps counted in the run's
     * budget and stored in its experience; callable only from {@code train}. Empty where the host
     * offers none (a host of API 1.2 or before, {@code evaluate}, agents driven from Python).
     *
     * @since API 1.3
     */
    default Optional<PopulationEvaluator> populationEvaluator() {
        return Optional.empty();
    }

    /** Where metrics go. */
    MetricsSink metrics();

    /** A directory of the run where the agent may write diagnostics (videos, plots). */
    Path workDirectory();

    /** The run's seed; an agent derives all its randomness from it. */
    long seed();

    /** The device the user asked for: {@code auto}, {@code cpu} or {@code gpu}. */
    String device();

    /**
     * A service offered by another plugin, chosen by name, such as an image encoder for Dreamer's
     * {@code encoder=mae} option. Empty when no such service is present. Among several matches the
     * host picks the highest {@code service.ranking} (then the oldest registration).
     *
     * <p>The binding lasts as long as this agent: the host releases the service when it closes the
     * agent. In a training run, when the providing plugin is stopped, updated or removed, the host
     * first checkpoints and closes every agent bound to the service (the object must not be used
     * after), then creates the agent again from that checkpoint, bound to the service that
     * replaces it. Keep the object in the agent; do not hand it to anything that outlives it.
     */
    <S> Optional<S> service(Class<S> type, String name);

    /**
     * As {@link #service}, for an agent that cannot work without the service.
     *
     * @throws ServiceUnavailableException when no such service is present: the host pauses the
     *     run until one is registered, then creates the agent again; when its plugin registered a
     *     {@link ServiceFailure} for it instead, the run fails with the failure's reason
     * @since API 1.4
     */
    default <S> S requireService(Class<S> type, String name) {
        return service(type, name).orElseThrow(() -> new ServiceUnavailableException(type.getName(), name));
    }
}
