package io.worldgate.plugin.dreamer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.testkit.FakeAgentContext;
import io.worldgate.testkit.FakeExperience;
import io.worldgate.testkit.encoders.LinearImageEncoder;
import io.worldgate.testkit.encoders.LinearImageEncoderCopy;
import io.worldgate.testkit.encoders.PoolingImageEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dreamer's three {@code encoder_mode}s over a trainable encoder service: the service's weights
 * never change; finetune trains the agent's copy of the encoder (not its decoder) through the world
 * model's loss; online trains the copy on its own loss; the copy is checkpointed with the agent.
 */
class DreamerEncoderModesTest {

    private DreamerAgent agent(Path dir, LinearImageEncoder service, String mode) {
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
        try (LinearImageEncoder service = new LinearImageEncoder()) {
            List<float[]> before = values(Parameters.all(service.network()));
            try (DreamerAgent a = agent(dir, service, "frozen")) {
                Map<String, Double> m = a.train(2);
                assertThat(m).doesNotContainKeys("encoder/loss", "encoder/grad_norm");
            }
            assertThat(same(before, values(Parameters.all(service.network())))).isTrue();
        }
    }

    @Test
    void finetuneTrainsTheCopysEncoderThroughTheWorldModelLoss(@TempDir Path dir) throws Exception {
        try (LinearImageEncoder service = new LinearImageEncoder()) {
            List<float[]> before = values(Parameters.all(service.network()));
            try (DreamerAgent a = agent(dir.resolve("a"), service, "finetune")) {
                Map<String, Double> m = a.train(2);
                assertThat(m.get("encoder/grad_norm")).isPositive();
                LinearImageEncoderCopy copy = service.copies().get(0);
                assertThat(same(values(Parameters.all(copy.encoder())), values(Parameters.all(service.encoder())))).isFalse();
                assertThat(same(values(Parameters.all(copy.decoder())), values(Parameters.all(service.decoder())))).isTrue();
                a.save(dir.resolve("ckpt"));
                List<float[]> trained = values(Parameters.all(copy.encoder()));
                try (DreamerAgent b = agent(dir.resolve("b"), service, "finetune")) {
                    b.load(dir.resolve("ckpt"));
                    assertThat(same(values(Parameters.all(service.copies().get(1).encoder())), trained))
                            .as("the fine-tuned encoder comes back from the checkpoint").isTrue();
                }
            }
            assertThat(same(before, values(Parameters.all(service.network())))).isTrue();
        }
    }

    @Test
    void onlineTrainsTheCopyOnItsOwnLoss(@TempDir Path dir) {
        try (LinearImageEncoder service = new LinearImageEncoder(); DreamerAgent a = agent(dir, service, "online")) {
            Map<String, Double> m = a.train(2);
            assertThat(m.get("encoder/loss")).isPositive();
            LinearImageEncoderCopy copy = service.copies().get(0);
            assertThat(same(values(Parameters.all(copy.decoder())), values(Parameters.all(service.decoder())))).isFalse();
        }
    }

    @Test
    void aServiceThatCannotBeTrainedIsRefusedInTheOtherModes(@TempDir Path dir) {
        EnvSpec spec = Fixtures.spec(true, true, false, 2);
        FakeAgentContext context = new FakeAgentContext(Fixtures.experience(spec, 50, 6), dir, 3)
                .withService("pool", new PoolingImageEncoder());
        AgentConfig config = Fixtures.config("debug", Map.of("encoder", "pool", "encoder_mode", "finetune"));
        assertThatThrownBy(() -> new DreamerAgentFactory().create(spec, config, context))
                .isInstanceOf(AgentException.class).hasMessageContaining("frozen");
    }
}
