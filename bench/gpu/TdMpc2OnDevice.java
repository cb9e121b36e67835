package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.bench.gpu.Timed;
import io.worldgate.bench.gpu.UpdateClock;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** TD-MPC2's update at a preset, on {@link TdMpc2SpeedBench}'s walker-like sizes (24 state floats, 6 actions). */
public final class TdMpc2OnDevice {
    private TdMpc2OnDevice() {}

    public static List<Timed> time(String preset, String device, int warmup, int updates) throws Exception {
        EnvSpec spec = new EnvSpec("bench:walker-like", new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))),
                BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), 1, 500, Map.of());
        TdMpc2AgentFactory factory = new TdMpc2AgentFactory();
        TdMpc2Config config = TdMpc2Config.from(AgentConfig.resolve(factory.descriptor(), preset, Map.of()));
        var context = new FakeAgentContext(RandomRollouts.of(spec, 2000, 1), Files.createTempDirectory("gpu-check-tdmpc2"), 1)
                .withDevice(device);
        try (TdMpc2Agent agent = new TdMpc2Agent(spec, config, context,
                TdMpc2Planning.create(config, 6))) {
            double s = UpdateClock.secondsPerUpdate(warmup, updates, () -> agent.train(1));
            return List.of(new Timed("tdmpc2", preset, config.batchSize() + "x" + (config.horizon() + 1), device, s, updates,
                    Timed.devicesOf(agent.worldModel())));
        }
    }
}
