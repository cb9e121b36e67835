package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.nn.Parameter;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.StepBatches;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent puts its networks, and so every array its updates and plans derive from them, on the
 * device the host chose ({@code --device}), never on a device of its own choosing.
 */
class TdMpc2DeviceTest {
    private static final EnvSpec SPEC = new EnvSpec("test:walker-like",
            new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))), BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), 2,
            500, Map.of());

    private static TdMpc2Agent agent(String device, Path dir) {
        AgentConfig resolved = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", Map.of());
        TdMpc2Config config = TdMpc2Config.from(resolved);
        AgentContext context = new FakeAgentContext(RandomRollouts.of(SPEC, 200, 3), dir, 3).withDevice(device);
        return new TdMpc2Agent(SPEC, config, context, TdMpc2Planning.create(config, 6));
    }

    /** Without a GPU, asking for one fails: the agent consulted the host's choice. */
    @Test
    void asksTheHostForItsDevice(@TempDir Path dir) {
        if (Engine.getInstance().getGpuCount() > 0) {
            return; // covered by the next test on this machine
        }
        assertThatThrownBy(() -> agent("gpu", dir)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Every parameter (targets included) lives on the chosen device, and acting and training run there. */
    @Test
    void networksLiveOnTheChosenDeviceAndPlanAndTrainThere(@TempDir Path dir) {
        String choice = Engine.getInstance().getGpuCount() > 0 ? "gpu" : "cpu";
        Device want = choice.equals("gpu") ? Device.gpu() : Device.cpu();
        try (TdMpc2Agent a = agent(choice, dir)) {
            for (Parameter p : a.worldModel().getParameters().values()) {
                assertThat(p.getArray().getDevice()).as(p.getName()).isEqualTo(want);
            }
            a.train(2);
            SplittableRandom rng = new SplittableRandom(3);
            // after an update the agent plans; twice, so that the second plan is warm-started
            a.act(StepBatches.random(SPEC, new boolean[] {true, true}, rng), ActMode.EXPLORE);
            assertThat(SPEC.actionSpace().validateBatch(
                    a.act(StepBatches.random(SPEC, new boolean[] {false, true}, rng), ActMode.EVAL), 2)).isEmpty();
            assertThat(a.updates()).isEqualTo(2);
        }
    }
}
