package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.bench.gpu.Timed;
import io.worldgate.bench.gpu.UpdateClock;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * Dreamer's full update (world model, imagination, actor, critic) on a device, at a preset on
 * {@link DreamerSpeedBench}'s synthetic 64x64 pixel replay (walker-like, 6 continuous actions).
 */
public final class DreamerOnDevice {
    private DreamerOnDevice() {}

    public static List<Timed> time(String preset, String device, int warmup, int updates) throws Exception {
        EnvSpec spec = DreamerSpeedBench.spec("dmc_vision");
        DreamerAgentFactory factory = new DreamerAgentFactory();
        AgentConfig config = AgentConfig.resolve(factory.descriptor(), preset, Map.of("video_every", "0"));
        var replay = new DreamerSpeedBench.SyntheticExperience(spec, 2000, 1);
        var context = new DreamerSpeedBench.Context(replay, Files.createTempDirectory("gpu-check-dreamer"), device);
        try (DreamerAgent agent = (DreamerAgent) factory.create(spec, config, context)) {
            DreamerConfig c = agent.config();
            agent.act(DreamerSpeedBench.batch(spec, 1), ActMode.EXPLORE);
            double s = UpdateClock.secondsPerUpdate(warmup, updates, () -> agent.train(1));
            return List.of(new Timed("dreamer", preset, c.batchSize() + "x" + c.batchLength(), device, s, updates,
                    Timed.devicesOf(agent.worldModel(), agent.actorCritic())));
        }
    }
}
