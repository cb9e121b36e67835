package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.ServiceUnavailableException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.nn.SimNorm;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.RandomRollouts;
import io.worldgate.testkit.StepBatches;
import io.worldgate.testkit.TestSpecs;
import io.worldgate.testkit.encoders.LinearImageEncoder;
import io.worldgate.testkit.encoders.PoolingImageEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TD-MPC2 with {@code encoder=NAME}: it waits for the service, then its latent is made of the service's features. */
class TdMpc2EncoderServiceTest {
    private static final EnvSpec PIXELS = TestSpecs.of("pixels", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 3)),
            TestSpecs.asymmetricBox(), 2);

    private static AgentConfig config(Map<String, String> overrides) {
        return AgentConfig.resolve(new TdMpc2AgentFactory().descriptor(), "debug", overrides);
    }

    @Test
    void theLatentIsTheServicesFeaturesThroughTheAgentsOwnLinearLayerAndSimNorm(@TempDir Path dir) throws Exception {
        TdMpc2AgentFactory factory = new TdMpc2AgentFactory();
        FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(PIXELS, 300, 5), dir, 5);
        AgentConfig config = config(Map.of("encoder", "pool", "batch_size", "4"));
        // absent, it is a typed wait for the service, which the host turns into a pause, not a failure
        assertThatThrownBy(() -> factory.create(PIXELS, config, context)).isInstanceOfSatisfying(
                ServiceUnavailableException.class, e -> {
                    assertThat(e.serviceType()).isEqualTo(ImageEncoder.class.getName());
                    assertThat(e.serviceName()).isEqualTo("pool");
                });
        PoolingImageEncoder service = new PoolingImageEncoder();
        context.withService("pool", service);
        try (TdMpc2Agent agent = (TdMpc2Agent) factory.create(PIXELS, config, context);
                NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            WorldModel wm = agent.worldModel();
            assertThat(wm.encoderBlock()).isInstanceOf(ServiceImageEncoder.class);
            // no CNN: the encoder's parameters are the projection's weight and bias
            List<Parameter> own = Parameters.all(wm.encoderBlock());
            assertThat(own).hasSize(2);
            NDArray images = m.randomInteger(0, 256, new Shape(3, 64, 64, 3), DataType.INT32).toType(DataType.UINT8, false);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray z = wm.encode(ps, Map.of(DictSpace.IMAGE, images), false);
            NDArray w = own.get(0).getArray();
            NDArray b = own.get(1).getArray();
            NDArray expected = SimNorm.simNorm(service.encode(images).matMul(w.transpose()).add(b),
                    agent.config().simnormDim());
            assertThat(z.getShape()).isEqualTo(new Shape(3, agent.config().latentDim()));
            float[] got = z.toFloatArray();
            float[] want = expected.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as("z[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
            Tensor act = agent.act(StepBatches.random(PIXELS, new boolean[] {true, true}, new SplittableRandom(5)),
                    ActMode.EXPLORE);
            assertThat(PIXELS.actionSpace().validateBatch(act, 2)).isEmpty();
            assertThat(agent.train(2).values()).allSatisfy(v -> assertThat(v).isFinite());
            agent.save(dir.resolve("ckpt"));
            // frozen: nothing of the service's network is the agent's to save
            try (var files = Files.list(dir.resolve("ckpt"))) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(TdMpc2Agent.ENCODER_NETWORK));
            }
        }
    }

    @Test
    void anEncoderThatCannotBeTrainedIsRefusedOutsideFrozen(@TempDir Path dir) {
        FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(PIXELS, 50, 5), dir, 5)
                .withService("pool", new PoolingImageEncoder());
        assertThatThrownBy(() -> new TdMpc2AgentFactory().create(PIXELS,
                config(Map.of("encoder", "pool", "encoder_mode", "online")), context))
                .isInstanceOf(AgentException.class).hasMessageContaining("frozen");
    }

    @Test
    void aStackOfFramesIsRefusedForAServiceWhichTakesRgb(@TempDir Path dir) {
        EnvSpec stacked = TestSpecs.of("pixels", Map.of(DictSpace.IMAGE, BoxSpace.image(64, 64, 9)),
                TestSpecs.asymmetricBox(), 2);
        FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(stacked, 50, 5), dir, 5)
                .withService("pool", new PoolingImageEncoder());
        assertThatThrownBy(() -> new TdMpc2AgentFactory().create(stacked, config(Map.of("encoder", "pool")), context))
                .isInstanceOf(AgentException.class).hasMessageContaining("3 channels");
    }

    @Test
    void aFineTunedEncoderTrainsAndComesBackFromTheCheckpoint(@TempDir Path dir) throws Exception {
        TdMpc2AgentFactory factory = new TdMpc2AgentFactory();
        try (LinearImageEncoder service = new LinearImageEncoder()) {
            List<float[]> start = values(Parameters.all(service.encoder()));
            FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(PIXELS, 300, 5), dir, 5)
                    .withService("lin", service);
            AgentConfig finetune = config(Map.of("encoder", "lin", "encoder_mode", "finetune", "encoder_lr", "1e-2",
                    "batch_size", "4"));
            List<float[]> trained;
            try (TdMpc2Agent a = (TdMpc2Agent) factory.create(PIXELS, finetune, context)) {
                Map<String, Double> m = a.train(2);
                assertThat(m.get("encoder/grad_norm")).isPositive();
                trained = values(Parameters.all(service.copies().get(0).encoder()));
                assertThat(equal(trained, start)).as("the copy's encoder after two updates").isFalse();
                a.save(dir.resolve("ckpt"));
            }
            assertThat(equal(values(Parameters.all(service.encoder())), start)).as("the service's weights").isTrue();
            try (TdMpc2Agent b = (TdMpc2Agent) factory.create(PIXELS, finetune, context)) {
                b.load(dir.resolve("ckpt"));
                assertThat(equal(values(Parameters.all(service.copies().get(1).encoder())), trained)).isTrue();
            }
            // a frozen agent's checkpoint has no copy to give a fine-tuning one
            AgentConfig frozen = config(Map.of("encoder", "lin", "batch_size", "4"));
            try (TdMpc2Agent c = (TdMpc2Agent) factory.create(PIXELS, frozen, context);
                    TdMpc2Agent d = (TdMpc2Agent) factory.create(PIXELS, finetune, context)) {
                c.save(dir.resolve("frozen"));
                assertThatThrownBy(() -> d.load(dir.resolve("frozen"))).isInstanceOf(IncompatibleCheckpointException.class)
                        .hasMessageContaining("encoder_mode");
            }
        }
    }

    @Test
    void anOnlineWarmUpTrainsTheCopyAloneBeforeTheFirstUpdate(@TempDir Path dir) throws Exception {
        TdMpc2AgentFactory factory = new TdMpc2AgentFactory();
        try (LinearImageEncoder service = new LinearImageEncoder()) {
            FakeAgentContext context = new FakeAgentContext(RandomRollouts.of(PIXELS, 300, 5), dir, 5)
                    .withService("lin", service);
            AgentConfig online = config(Map.of("encoder", "lin", "encoder_mode", "online", "encoder_lr", "1e-2",
                    "batch_size", "4", "encoder_warmup", "3"));
            try (TdMpc2Agent a = (TdMpc2Agent) factory.create(PIXELS, online, context)) {
                var copy = service.copies().get(0);
                List<float[]> start = values(Parameters.all(copy.network()));
                Map<String, Double> m = a.train(1);
                assertThat(m.get("encoder/warmup_updates")).isEqualTo(3.0);
                assertThat(m.get("train/updates")).isEqualTo(1.0);
                assertThat(copy.selfSupervisedLosses()).as("3 alone, then 1 with the agent's update").isEqualTo(4);
                assertThat(equal(values(Parameters.all(copy.network())), start)).isFalse();
                assertThat(a.train(1)).doesNotContainKey("encoder/warmup_updates");
                assertThat(copy.selfSupervisedLosses()).isEqualTo(5);
                a.save(dir.resolve("warm"));
            }
            // Resumed (or swapped in) after it trained: no warm-up again, and it goes on updating.
            try (TdMpc2Agent b = (TdMpc2Agent) factory.create(PIXELS, online, context)) {
                b.load(dir.resolve("warm"));
                Map<String, Double> m = b.train(1);
                assertThat(m).doesNotContainKey("encoder/warmup_updates");
                assertThat(m.get("train/updates")).as("the update count goes on from the checkpoint's").isEqualTo(3.0);
            }
        }
    }

    private static List<float[]> values(List<Parameter> params) {
        return params.stream().map(p -> p.getArray().toFloatArray()).toList();
    }

    private static boolean equal(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
