package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.experience.Experience;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.bench.gpu.Timed;
import io.worldgate.bench.gpu.UpdateClock;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.space.Spaces;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.RecordingMetricsSink;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * World Models' two gradient updates on a device, as the agent builds and runs them: V's (the VAE on
 * a batch of 64x64 frames sampled from the replay) and M's (the MDN-RNN on windows of encoded
 * episodes, here random posteriors: the cost does not depend on their values). C is evolved by
 * CMA-ES, without gradients, and is not timed here.
 */
public final class WorldModelsOnDevice {
    private static final int EPISODES = 40;
    private static final int EPISODE_STEPS = 100;

    private WorldModelsOnDevice() {}

    public static List<Timed> time(String preset, String device, int warmup, int updates) {
        EnvSpec spec = new EnvSpec("bench:doom-like", new DictSpace(Map.of(Spaces.IMAGE, BoxSpace.image(64, 64, 3))),
                new DiscreteSpace(3), 1, 500, Map.of());
        WorldModelsConfig config = WorldModelsConfig.from(
                AgentConfig.resolve(new WorldModelsAgentFactory().descriptor(), preset, Map.of()));
        Spaces spaces = new Spaces(spec, List.of(Spaces.IMAGE), WorldModelsAgentFactory.NAME);
        Experience replay = RandomRollouts.of(spec, 1000, 1);
        SplittableRandom rng = new SplittableRandom(1);
        try (NDManager manager = NDManager.newBaseManager(Devices.choose(device))) {
            ParameterStore ps = new ParameterStore(manager, false);
            Vae vae = new Vae(config.zSize());
            MdnRnn rnn = new MdnRnn(config.zSize(), spaces.actionSize(), config.rnnSize(), config.mixtures(),
                    config.predictDone());
            ModelTraining training;
            try (NoGradient off = NoGradient.open()) {
                vae.initializeParts(manager);
                rnn.initializeParts(manager);
                training = new ModelTraining(config, spaces, replay, new RecordingMetricsSink(), manager, ps, vae, rnn);
            }
            try (training; NoGradient off = NoGradient.open()) {
                double v = UpdateClock.secondsPerUpdate(warmup, updates, () -> {
                    Tensor frames = replay.sampleFrames(config.vaeBatch(), List.of(Spaces.IMAGE), rng).get(Spaces.IMAGE);
                    training.vaeUpdate(frames, rng);
                });
                EncodedEpisodes encoded = randomEpisodes(config.zSize(), spaces.actionSize(), rng);
                double m = UpdateClock.secondsPerUpdate(warmup, updates,
                        () -> training.rnnUpdate(encoded.sample(config.rnnBatch(), config.rnnSeqLen(), rng)));
                return List.of(
                        new Timed("worldmodels-V", preset, String.valueOf(config.vaeBatch()), device, v, updates,
                                Timed.devicesOf(vae)),
                        new Timed("worldmodels-M", preset, config.rnnBatch() + "x" + config.rnnSeqLen(), device, m,
                                updates, Timed.devicesOf(rnn)));
            }
        }
    }

    private static EncodedEpisodes randomEpisodes(int z, int actions, SplittableRandom rng) {
        EncodedEpisodes out = new EncodedEpisodes(z, actions);
        for (int e = 0; e < EPISODES; e++) {
            float[] mu = new float[EPISODE_STEPS * z];
            float[] logVar = new float[EPISODE_STEPS * z];
            float[] a = new float[EPISODE_STEPS * actions];
            for (int i = 0; i < mu.length; i++) {
                mu[i] = (float) rng.nextGaussian();
                logVar[i] = (float) (rng.nextGaussian() * 0.1 - 1);
            }
            for (int t = 0; t < EPISODE_STEPS; t++) {
                a[t * actions + rng.nextInt(actions)] = 1;
            }
            out.add(new EncodedEpisodes.Encoded(EPISODE_STEPS, mu, logVar, a, e % 2 == 0));
        }
        return out;
    }
}
