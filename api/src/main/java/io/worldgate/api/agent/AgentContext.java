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
     * {@code encoder=mae} option. Empty when no such service is present.
     */
    <S> Optional<S> service(Class<S> type, String name);
}
