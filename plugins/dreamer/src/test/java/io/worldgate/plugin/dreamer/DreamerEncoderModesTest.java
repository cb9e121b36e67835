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
        return agent(dir, service, mode, 0);
    }

    private DreamerAgent agent(Path dir, LinearImageEncoder service, String mode, int warmup) {
        EnvSpec spec = Fixtures.spec(true, true, false, 2);
        FakeExperience exp = Fixtures.experience(spec, 200, 6);
        FakeAgentContext context = new FakeAgentContext(exp, dir, 3).withService("lin", service);
        AgentConfig config = Fixtures.config("debug", Map.of("encoder", "lin", "encoder_mode", mode, "encoder_lr", "1e-2",
                "batch_size", "4", "batch_length", "8", "encoder_warmup", Integer.toString(warmup)));
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
    void anOnlineWarmUpTrainsTheCopyAloneBeforeTheAgentsFirstUpdate(@TempDir Path dir) throws Exception {
        try (LinearImageEncoder service = new LinearImageEncoder(); DreamerAgent a = agent(dir, service, "online", 3)) {
            LinearImageEncoderCopy copy = service.copies().get(0);
            List<float[]> start = values(Parameters.all(copy.network()));
            long[] lossesAtFirstUpdate = {-1};
            List<List<float[]>> atFirstUpdate = new ArrayList<>();
            a.listenToPhases(new Timers.Listener() {
                @Override
                public void started(String phase) {
                    if (phase.equals("model") && atFirstUpdate.isEmpty()) {
                        lossesAtFirstUpdate[0] = copy.selfSupervisedLosses();
                        atFirstUpdate.add(values(Parameters.all(copy.network())));
                    }
                }

                @Override
                public void stopped(String phase) {}
            });
            Map<String, Double> m = a.train(1);
            assertThat(lossesAtFirstUpdate[0]).as("encoder updates before the agent's first").isEqualTo(3);
            assertThat(same(atFirstUpdate.get(0), start)).as("the copy when the world model first trains").isFalse();
            assertThat(m.get("encoder/warmup_updates")).isEqualTo(3.0);
            assertThat(a.updates()).isEqualTo(1);
            assertThat(copy.selfSupervisedLosses()).isEqualTo(3 + 1);
            // the warm-up is taken once
            assertThat(a.train(1)).doesNotContainKey("encoder/warmup_updates");
            assertThat(copy.selfSupervisedLosses()).isEqualTo(3 + 2);
            a.save(dir.resolve("ckpt"));
        }
        try (LinearImageEncoder service = new LinearImageEncoder();
                DreamerAgent b = agent(dir.resolve("b"), service, "online", 3)) {
            b.load(dir.resolve("ckpt"));
            b.train(1);
            assertThat(service.copies().get(0).selfSupervisedLosses()).as("resumed after training: no warm-up").isEqualTo(1);
        }
    }

    @Test
    void aWarmUpOutsideTheOnlineModeIsRefused(@TempDir Path dir) {
        try (LinearImageEncoder service = new LinearImageEncoder()) {
            assertThatThrownBy(() -> agent(dir, service, "finetune", 2)).isInstanceOf(AgentException.class)
                    .hasMessageContaining("encoder_warmup").hasMessageContaining("online");
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
