package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.TestSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TD-MPC2's networks: the published activation, and the checkpoint layout the ensemble changed. */
class TdMpc2NetworksTest {

    /** Mish(x) = x tanh(ln(1 + e^x)) after each hidden LayerNorm: Mish(1) = 0.865098, Mish(-1) = -0.303401, Mish(3) = 2.986535. */
    /**
     * Kernels 7, 5, 3, 3 at strides 2, 2, 2, 1: 39 -> 17 -> 7 -> 3 -> 1 pixels, and 38 -> 16 -> 6 -> 2 -> 0,
     * so 39x39 is the smallest image; 64x64 gives 4x4 (32 channels: 512 features, the paper's).
     */
    @Test
    void theImageEncoderTakesImagesOf39PixelsAndMore() {
        assertThat(ImageEncoder.convFeatures(32, 39, 39)).isEqualTo(32);
        assertThat(ImageEncoder.convFeatures(32, 64, 64)).isEqualTo(512);
        assertThatThrownBy(() -> ImageEncoder.convFeatures(32, 38, 64))
                .isInstanceOf(io.worldgate.api.agent.AgentException.class).hasMessageContaining("39x39");
    }

    @Test
    void hiddenLayersUseMishWithTheNaturalLogarithm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block mlp = Networks.mlp(4, 1, 2, 0, 0);
            mlp.initialize(m, DataType.FLOAT32, new Shape(1, 3));
            // Linear, LayerNorm, activation, Linear
            Block activation = mlp.getChildren().valueAt(2);
            float[] y = activation.forward(new ParameterStore(m, false),
                    new NDList(m.create(new float[] {1f, -1f, 0f, 3f})), false).singletonOrThrow().toFloatArray();
            assertThat(y).containsExactly(new float[] {0.865098f, -0.303401f, 0f, 2.986535f}, within(1e-5f));
        }
    }

    /**
     * Under bfloat16 products the hidden layers' results stay bfloat16 (their LayerNorm and Mish read
     * them so, as under {@code torch.autocast}) and the output layer widens: the MLP returns float32,
     * within bfloat16's error of the float32 network (3% relative over the output; each rounding is
     * 2^-9), and a latent output still sums to 1 per SimNorm group.
     */
    @Test
    void hiddenLayersKeepBfloat16ActivationsAndOutputsAreFloat32() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.nn.SequentialBlock mlp = Networks.mlp(64, 2, 16, 0, 8);
            mlp.setInitializer(new ai.djl.training.initializer.NormalInitializer(0.2f), ai.djl.nn.Parameter.Type.WEIGHT);
            mlp.initialize(m, DataType.FLOAT32, new Shape(32, 24));
            var children = mlp.getChildren();
            // Linear, LayerNorm, Mish, Linear, LayerNorm, Mish, Linear, LayerNorm, SimNorm
            assertThat(((io.worldgate.runtime.nn.AutocastBlocks.Linear) children.valueAt(0)).hidden()).isTrue();
            assertThat(((io.worldgate.runtime.nn.AutocastBlocks.Linear) children.valueAt(3)).hidden()).isTrue();
            assertThat(((io.worldgate.runtime.nn.AutocastBlocks.Linear) children.valueAt(6)).hidden()).isFalse();
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(32, 24));
            try (io.worldgate.runtime.optim.NoGradient off = io.worldgate.runtime.optim.NoGradient.open()) {
                NDArray fp32 = mlp.forward(ps, new NDList(x), false).singletonOrThrow();
                NDArray hidden;
                NDArray bf16;
                try (io.worldgate.runtime.nn.Autocast on = io.worldgate.runtime.nn.Autocast.open(
                        io.worldgate.runtime.nn.Precision.BF16)) {
                    hidden = children.valueAt(0).forward(ps, new NDList(x), false).singletonOrThrow();
                    bf16 = mlp.forward(ps, new NDList(x), false).singletonOrThrow();
                }
                assertThat(io.worldgate.runtime.nn.internal.Bf16Kernels.isBf16(hidden)).isTrue();
                assertThat(bf16.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(bf16.sub(fp32).norm().getFloat() / fp32.norm().getFloat()).isLessThan(0.03f);
                float[] ones = new float[64];
                java.util.Arrays.fill(ones, 1f);
                assertThat(bf16.reshape(32, 2, 8).sum(new int[] {2}).toFloatArray()).containsExactly(ones, within(1e-5f));
            }
        }
    }

    /**
     * The planner's first step from one latent per environment equals the dynamics and reward on
     * that latent repeated once per candidate.
     */
    @Test
    void firstStepFromEachLatentEqualsTheRepeatedRows(@TempDir Path dir) {
        EnvSpec spec = new EnvSpec("test:walker-like", new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))),
                BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), 1, 500, Map.of());
        AgentConfig config = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", Map.of());
        try (TdMpc2Agent agent = new TdMpc2Agent(spec, TdMpc2Config.from(config),
                new FakeAgentContext(RandomRollouts.of(spec, 100, 1), dir, 1), null);
                NDManager m = NDManager.newBaseManager();
                io.worldgate.runtime.optim.NoGradient off = io.worldgate.runtime.optim.NoGradient.open()) {
            agent.train(3); // reward head no longer zero
            WorldModel wm = agent.worldModel();
            ParameterStore ps = new ParameterStore(m, false);
            int n = 2;
            int count = 5;
            NDArray z = io.worldgate.runtime.nn.SimNorm.simNorm(m.randomNormal(new Shape(n, 16)), 8);
            NDArray a = m.randomUniform(-1f, 1f, new Shape(n * count, 6));
            NDArray rows = z.expandDims(1).broadcast(new Shape(n, count, 16)).reshape(n * count, 16);
            io.worldgate.runtime.plan.LatentModel.Step step = wm.fromEach(ps, z, count, a);
            assertThat(step.next().toFloatArray()).containsExactly(wm.next(ps, rows, a, false).toFloatArray(),
                    within(1e-6f));
            float[] reward = wm.reward(ps, rows, a).toFloatArray();
            assertThat(reward).doesNotContain(0f);
            assertThat(step.reward().toFloatArray()).containsExactly(reward, within(1e-5f));
        }
    }

    /**
     * A checkpoint of the networks' first layout (separate Q networks) is refused with a typed
     * error, not loaded into the stacked ensemble, and the agent keeps its weights.
     */
    @Test
    void refusesCheckpointsOfTheSeparateQNetworksLayout(@TempDir Path dir) throws Exception {
        EnvSpec spec = new EnvSpec("test:walker-like", new DictSpace(Map.of(DictSpace.STATE, TestSpecs.state(24))),
                BoxSpace.uniform(DType.FLOAT32, -1, 1, 6), 1, 500, Map.of());
        AgentConfig config = AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", Map.of());
        Path checkpoint = dir.resolve("ckpt");
        try (TdMpc2Agent a = new TdMpc2Agent(spec, TdMpc2Config.from(config),
                new FakeAgentContext(RandomRollouts.of(spec, 100, 1), dir, 1), null)) {
            a.save(checkpoint);
        }
        Path header = BlockCheckpoint.headerFile(checkpoint, TdMpc2Agent.NETWORKS);
        String text = Files.readString(header);
        assertThat(text).contains("kind=" + TdMpc2Agent.NETWORKS_KIND.replace(":", "\\:"));
        Files.writeString(header, text.replace("kind=" + TdMpc2Agent.NETWORKS_KIND.replace(":", "\\:"),
                "kind=" + TdMpc2Agent.OLD_NETWORKS_KIND));
        try (TdMpc2Agent b = new TdMpc2Agent(spec, TdMpc2Config.from(config),
                new FakeAgentContext(RandomRollouts.of(spec, 100, 2), dir, 2), null)) {
            float[] before = b.worldModel().qEnsemble().getParameters().valueAt(0).getArray().toFloatArray();
            assertThatThrownBy(() -> b.load(checkpoint)).isInstanceOf(IncompatibleCheckpointException.class)
                    .hasMessageContaining(TdMpc2Agent.OLD_LAYOUT);
            assertThat(b.worldModel().qEnsemble().getParameters().valueAt(0).getArray().toFloatArray())
                    .containsExactly(before);
            assertThat(b.updates()).isZero();
        }
    }
}
