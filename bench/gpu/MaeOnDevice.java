package io.worldgate.plugin.mae;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.bench.gpu.Timed;
import io.worldgate.bench.gpu.UpdateClock;
import io.worldgate.testkit.FakeLearnerContext;
import io.worldgate.testkit.RandomRollouts;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** The MAE learner's update (a masked batch of 64x64 frames, one AdamW step) at a preset, on a device. */
public final class MaeOnDevice {
    private MaeOnDevice() {}

    public static List<Timed> time(String preset, String device, int warmup, int updates) throws Exception {
        DictSpace obs = new DictSpace(Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 3)));
        EnvSpec spec = new EnvSpec("bench:pixels", obs, new DiscreteSpace(3), 1, 500, Map.of());
        MaeLearnerFactory factory = new MaeLearnerFactory();
        AgentConfig config = factory.descriptor().resolve(preset, Map.of("image_every", "0"));
        var context = new FakeLearnerContext(RandomRollouts.of(spec, 1000, 1), obs,
                Files.createTempDirectory("gpu-check-mae"), 1).withDevice(device);
        try (MaeLearner learner = (MaeLearner) factory.create(context, config)) {
            double s = UpdateClock.secondsPerUpdate(warmup, updates, learner::update);
            return List.of(new Timed("mae", preset, String.valueOf(config.getInt("batch")), device, s, updates,
                    Timed.devicesOf(learner.model())));
        }
    }
}
