package io.worldgate.api.agent;

import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.experience.Experience;
import java.nio.file.Path;
import java.util.Optional;

/** What the host lends an agent for its lifetime. */
public interface AgentContext {

    /** The run's experience, written by the host. */
    Experience experience();

    /** Runs whole episodes with a policy of the agent's own; empty where the host cannot. */
    Optional<EpisodeRunner> episodeRunner();

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
