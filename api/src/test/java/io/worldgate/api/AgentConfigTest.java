package io.worldgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
    private static final AgentDescriptor DREAMER_LIKE = new AgentDescriptor("dreamer", "test", EnumSet.of(ActionKind.CONTINUOUS),
            Set.of("image", "state"),
            List.of(ConfigKey.integer("batch_size", 16, 1, 1024, "sequences per batch"),
                    ConfigKey.decimal("model_lr", 1e-4, 0, 1, "world model learning rate"),
                    ConfigKey.bool("kl_balance", false, "DreamerV2 KL balancing"),
                    ConfigKey.choice("loss_balance", "none", List.of("none", "harmony"), "HarmonyDream")),
            Map.of("dmc_vision", Map.of("batch_size", "16"), "debug", Map.of("batch_size", "4", "model_lr", "3e-4")),
            "dmc_vision");

    @Test
    void valuesComeFromDefaultsThenPresetThenOverrides() {
        AgentConfig c = AgentConfig.resolve(DREAMER_LIKE, "debug", Map.of("model_lr", "0.001", "loss_balance", "harmony"));
        assertThat(c.preset()).isEqualTo("debug");
        assertThat(c.getInt("batch_size")).isEqualTo(4);
        assertThat(c.getDouble("model_lr")).isEqualTo(0.001);
        assertThat(c.getBoolean("kl_balance")).isFalse();
        assertThat(c.getString("loss_balance")).isEqualTo("harmony");
        assertThat(AgentConfig.resolve(DREAMER_LIKE, null, Map.of()).preset()).isEqualTo("dmc_vision");
    }

    @Test
    void anUnknownKeyListsTheKeysThatExist() {
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, null, Map.of("batchsize", "8")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no config key 'batchsize'")
                .hasMessageContaining("batch_size, kl_balance, loss_balance, model_lr");
    }

    @Test
    void badValuesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, null, Map.of("batch_size", "0")))
                .hasMessageContaining("0 is outside [1, 1024]");
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, null, Map.of("batch_size", "sixteen")))
                .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, null, Map.of("loss_balance", "max")))
                .hasMessageContaining("not one of [none, harmony]");
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, null, Map.of("kl_balance", "yes")))
                .hasMessageContaining("not true or false");
        assertThatThrownBy(() -> AgentConfig.resolve(DREAMER_LIKE, "atari", Map.of()))
                .hasMessageContaining("no preset 'atari'").hasMessageContaining("[debug, dmc_vision]");
    }

    @Test
    void descriptorsExplainWhyAnEnvironmentDoesNotFit() {
        EnvSpec discrete = new EnvSpec("atari:Pong", new DictSpace(Map.of("image", BoxSpace.image(64, 64, 3))),
                new DiscreteSpace(6), 1, 0, Map.of());
        assertThat(DREAMER_LIKE.incompatibility(discrete)).hasValue("dreamer does not support discrete actions (atari:Pong)");
        EnvSpec noObs = new EnvSpec("x:y", new DictSpace(Map.of("lidar", BoxSpace.uniform(DType.FLOAT32, 0, 1, 8))),
                BoxSpace.uniform(DType.FLOAT32, -1, 1, 2), 1, 0, Map.of());
        assertThat(DREAMER_LIKE.incompatibility(noObs)).hasValueSatisfying(m -> assertThat(m).contains("needs one of the observations"));
    }
}
