package io.worldgate.gateway.run;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.run.internal.InMemoryExperience;
import io.worldgate.gateway.run.internal.VectorEnvEpisodeRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;

/**
 * Plays an agent restored from a checkpoint for whole episodes, outside any run: what
 * {@code worldgate eval} does. The agent acts in {@link ActMode#EVAL}; what it sees is not kept
 * beyond the call, and nothing goes to a run's budget, experience or metrics.
 */
public final class CheckpointEvaluation {
    private static final MetricsSink NO_METRICS = new MetricsSink() {
        @Override
        public void scalar(String name, double value) {}

        @Override
        public void file(String name, Path file) {}
    };

    private CheckpointEvaluation() {}

    /**
     * Creates {@code h}'s agent for {@code env} (see {@link AgentCreation}), loads {@code checkpoint}
     * into it and plays {@code episodes} episodes (at least one) on {@code env}, which stays open;
     * the agent is closed.
     *
     * @param preset the run's preset, or null
     * @param overrides the run's config overrides
     * @param workDirectory the agent's work directory (the run's)
     * @param services where the agent finds other plugins' services; null for none
     * @return the episodes in the order they ended
     * @throws IncompatibleCheckpointException if the agent cannot load the checkpoint
     * @throws IOException if the checkpoint cannot be read
     */
    public static List<PlayedEpisode> play(FactoryHandle h, String preset, Map<String, String> overrides, VectorEnv env,
            Path checkpoint, int episodes, long seed, String device, Path workDirectory, BundleContext services)
            throws IncompatibleCheckpointException, IOException {
        AgentContext context = AgentCreation.context(new InMemoryExperience(env.spec()), Optional.empty(), NO_METRICS,
                workDirectory, seed, device, services);
        try (Agent agent = AgentCreation.create(h, env.spec(), preset, overrides, context)) {
            agent.load(checkpoint);
            return VectorEnvEpisodeRunner.play(env, obs -> agent.act(obs, ActMode.EVAL), Math.max(1, episodes), seed);
        } finally {
            AgentCreation.releaseServices(context);
        }
    }
}
