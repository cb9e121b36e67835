package io.worldgate.gateway.service.internal;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.CheckpointEvaluation;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.PlayedEpisode;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a stored checkpoint of a run apart from the run: a fresh agent of the version that
 * wrote it loads it and plays on environments of its own, so a running run is not disturbed.
 */
public final class CheckpointEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointEvaluator.class);

    private final PluginHost host;
    private final EnvRegistry envs;
    private final DeployedAgents agents;

    public CheckpointEvaluator(PluginHost host, EnvRegistry envs, DeployedAgents agents) {
        this.host = host;
        this.envs = envs;
        this.agents = agents;
    }

    /**
     * Plays {@code episodes} evaluation episodes with a fresh agent that loads {@code checkpoint}
     * (a directory name under the run's checkpoints/, or null for the latest).
     */
    public EvaluationResult evaluate(String runId, RunConfig config, String checkpoint, int episodes, long seed) {
        Path dir;
        if (checkpoint == null || checkpoint.isBlank()) {
            dir = Checkpoints.newestIntact(config.runDirectory(), true, (d, why) -> LOG.warn("run {}: damaged checkpoint {} skipped: {}", runId, d.getFileName(), why))
                    .map(Checkpoints.Checkpoint::directory)
                    .orElseThrow(() -> new NotFoundException("run " + runId + " has no intact checkpoint yet"));
        } else {
            Path checkpoints = new RunDirectory(config.runDirectory()).checkpoints();
            dir = checkpoints.resolve(checkpoint).normalize();
            if (!dir.startsWith(checkpoints) || !Files.isRegularFile(dir.resolve(TrainingRun.CHECKPOINT_INFO))) {
                throw new NotFoundException("run " + runId + " has no complete checkpoint '" + checkpoint + "'; checkpoints: "
                        + StoredRuns.checkpointNames(config.runDirectory()));
            }
            try {
                Checkpoints.read(dir, true);
            } catch (IOException e) {
                throw new IllegalStateException("checkpoint " + e.getMessage(), e);
            }
        }
        Properties info = StoredRuns.readCheckpointInfo(dir);
        // The agent version that wrote the checkpoint, when it is still deployed; else the highest.
        FactoryHandle factory = agents.findExactOrBest(info.getProperty("agent", config.agentBaseName()), info.getProperty("version"));
        int n = Math.max(1, Math.min(episodes, config.numEnvs()));
        try (VectorEnv env = envs.create(config.envId(), n, config.envOptions())) {
            try {
                List<PlayedEpisode> played = CheckpointEvaluation.play(factory, config.preset(), config.agentOverrides(), env, dir,
                        episodes, seed, config.device(), config.runDirectory(), host.bundleContext());
                return new EvaluationResult(factory.label(), dir.getFileName().toString(),
                        played.stream().map(e -> e.summary().episodeReturn()).toList(), PlayedEpisode.meanInfos(played));
            } catch (IncompatibleCheckpointException e) {
                throw new IllegalStateException(factory.label() + " cannot load " + dir.getFileName() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
