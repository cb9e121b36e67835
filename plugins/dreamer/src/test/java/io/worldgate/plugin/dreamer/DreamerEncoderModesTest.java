package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.nn.TrainableImageEncoder;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dreamer's three {@code encoder_mode}s over a trainable encoder service: the service's weights
 * never change; finetune trains the agent's copy of the encoder (not its decoder) through the world
 * model's loss; online trains the copy on its own loss; the copy is checkpointed with the agent.
 */
class DreamerEncoderModesTest {

    private DreamerAgent agent(Path dir, Linearised service, String mode) {
        EnvSpec spec = Fixtures.spec(true, true, false, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        FakeAgentContext context = new FakeAgentContext(exp, dir, 3).withService("lin", service);
        AgentConfig config = Fixtures.config("debug", Map.of("encoder", "lin", "encoder_mode", mode, "encoder_lr", "1e-2",
                "batch_size", "4", "batch_length", "8"));
        return (DreamerAgent) new DreamerAgentFactory().create(spec, config, context);
    }

    private static List<float[]> values(List<Parameter> params) {
        List<float[]> out = new ArrayList<>();
        params.forEach(p -> out.add(p.getArray().toFloatArray()));
        return out;
    }

    private static boolean same(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void frozenLeavesTheServiceAsItIs(@TempDir Path dir) {
        try (Linearised service = new Linearised()) {
            List<float[]> before = values(Parameters.all(service.group));
            try (DreamerAgent a = agent(dir, service, "frozen")) {
                Map<String, Double> m = a.train(2);
                assertThat(m).doesNotContainKeys("encoder/loss", "encoder/grad_norm");
            }
            assertThat(same(before, values(Parameters.all(service.group)))).isTrue();
        }
    }

    @Test
    void finetuneTrainsTheCopysEncoderThroughTheWorldModelLoss(@TempDir Path dir) throws Exception {
        try (Linearised service = new Linearised()) {
            List<float[]> before = values(Parameters.all(service.group));
            try (DreamerAgent a = agent(dir.resolve("a"), service, "finetune")) {
                Map<String, Double> m = a.train(2);
                assertThat(m.get("encoder/grad_norm")).isPositive();
                Linearised.Copy copy = service.copies.get(0);
                assertThat(same(values(Parameters.all(copy.encoder)), values(Parameters.all(service.encoder)))).isFalse();
                assertThat(same(values(Parameters.all(copy.decoder)), values(Parameters.all(service.decoder)))).isTrue();
                a.save(dir.resolve("ckpt"));
                List<float[]> trained = values(Parameters.all(copy.encoder));
                try (DreamerAgent b = agent(dir.resolve("b"), service, "finetune")) {
                    b.load(dir.resolve("ckpt"));
                    assertThat(same(values(Parameters.all(service.copies.get(1).encoder)), trained))
                            .as("the fine-tuned encoder comes back from the checkpoint").isTrue();
                }
            }
            assertThat(same(before, values(Parameters.all(service.group)))).isTrue();
        }
    }

    @Test
    void onlineTrainsTheCopyOnItsOwnLoss(@TempDir Path dir) {
        try (Linearised service = new Linearised(); DreamerAgent a = agent(dir, service, "online")) {
            Map<String, Double> m = a.train(2);
            assertThat(m.get("encoder/loss")).isPositive();
            Linearised.Copy copy = service.copies.get(0);
            assertThat(same(values(Parameters.all(copy.decoder)), values(Parameters.all(service.decoder)))).isFalse();
        }
    }

    @Test
    void aServiceThatCannotBeTrainedIsRefusedInTheOtherModes(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(true, true, false, 2);
        FakeAgentContext context = new FakeAgentContext(Fixtures.experience(spec, 50, 6), dir, 3)
                .withService("pool", new DreamerAgentTest.PoolingEncoder());
        AgentConfig config = Fixtures.config("debug", Map.of("encoder", "pool", "encoder_mode", "finetune"));
        assertThatThrownBy(() -> new DreamerAgentFactory().create(spec, config, context))
                .isInstanceOf(AgentException.class).hasMessageContaining("frozen");
    }

    /**
     * A stand-in for a trainable encoder service: 8x8 average pooling, then a linear encoder of 16
     * features; its self-supervised loss is a linear decoder's error on the pooled pixels.
     */
    static final class Linearised implements ImageEncoder, AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final BlockGroup group = new BlockGroup();
        final Linear encoder = group.add("encoder", Linear.builder().setUnits(16).build());
        final Linear decoder = group.add("decoder", Linear.builder().setUnits(192).build());
        final List<Copy> copies = new ArrayList<>();
        private final ParameterStore ps = new ParameterStore(manager, false);

        Linearised() {
            try (NoGradient off = NoGradient.open()) {
                encoder.initialize(manager, DataType.FLOAT32, new Shape(1, 192));
                decoder.initialize(manager, DataType.FLOAT32, new Shape(1, 16));
            }
        }

        static NDArray pooled(NDArray images) {
            Shape s = images.getShape();
            return images.toType(DataType.FLOAT32, false).div(255f).reshape(-1, 8, 8, 8, 8, 3).mean(new int[] {2})
                    .mean(new int[] {3}).reshape(s.slice(0, s.dimension() - 3).add(192));
        }

        static NDArray apply(Block b, ParameterStore ps, NDArray x) {
            return b.forward(ps, new NDList(x), true).singletonOrThrow();
        }

        @Override
        public String name() {
            return "lin";
        }

        @Override
        public int[] imageSize() {
            return new int[] {64, 64};
        }

        @Override
        public long featureSize() {
            return 16;
        }

        @Override
        public NDArray encode(NDArray images) {
            try (NoGradient off = NoGradient.open()) {
                return apply(encoder, ps, pooled(images));
            }
        }

        @Override
        public TrainableImageEncoder trainableCopy(NDManager target) {
            Copy copy = new Copy(target, this);
            copies.add(copy);
            return copy;
        }

        @Override
        public void close() {
            manager.close();
        }

        static final class Copy implements TrainableImageEncoder {
            final BlockGroup group = new BlockGroup();
            final Linear encoder = group.add("encoder", Linear.builder().setUnits(16).build());
            final Linear decoder = group.add("decoder", Linear.builder().setUnits(192).build());

            Copy(NDManager target, Linearised from) {
                encoder.initialize(target, DataType.FLOAT32, new Shape(1, 192));
                decoder.initialize(target, DataType.FLOAT32, new Shape(1, 16));
                List<Parameter> src = Parameters.all(from.group);
                List<Parameter> dst = Parameters.all(group);
                for (int i = 0; i < src.size(); i++) {
                    dst.get(i).getArray().set(new NDIndex("..."), src.get(i).getArray());
                }
            }

            @Override
            public Block network() {
                return group;
            }

            @Override
            public List<Parameter> encoderParameters() {
                return Parameters.trainable(encoder);
            }

            @Override
            public long featureSize() {
                return 16;
            }

            @Override
            public NDArray features(ParameterStore ps, NDArray images) {
                return apply(encoder, ps, pooled(images));
            }

            @Override
            public NDArray selfSupervisedLoss(ParameterStore ps, NDArray images, SplittableRandom rng) {
                NDArray x = pooled(images);
                return apply(decoder, ps, apply(encoder, ps, x)).sub(x).square().mean();
            }
        }
    }
}
