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

    private static final AgentDescriptor WITH_RECIPE = new AgentDescriptor("dreamer", "test", EnumSet.of(ActionKind.CONTINUOUS),
            Set.of(), List.of(
                    ConfigKey.choice("recipe", "2023", List.of("2023", "2024"), "which release")
                            .implying(Map.of("2024", Map.of("dyn_scale", "1.0", "actor_grad", "reinforce"))),
                    ConfigKey.decimal("dyn_scale", 0.5, 0, 100, "dyn"),
                    ConfigKey.choice("actor_grad", "auto", List.of("auto", "reinforce"), "grad"),
                    ConfigKey.integer("bins", 255, 2, 4096, "bins")),
            Map.of("small", Map.of("bins", "63"), "new", Map.of("recipe", "2024", "actor_grad", "auto")), null);

    @Test
    void aValueThatImpliesOthersReplacesTheirDefaultsAndPresetAndOverridesStillWin() {
        AgentConfig plain = AgentConfig.resolve(WITH_RECIPE, "small", Map.of());
        assertThat(plain.getDouble("dyn_scale")).isEqualTo(0.5);
        assertThat(plain.getString("actor_grad")).isEqualTo("auto");

        AgentConfig recipe = AgentConfig.resolve(WITH_RECIPE, "small", Map.of("recipe", " 2024"));
        assertThat(recipe.getDouble("dyn_scale")).isEqualTo(1.0);
        assertThat(recipe.getString("actor_grad")).isEqualTo("reinforce");
        assertThat(recipe.getInt("bins")).isEqualTo(63);

        AgentConfig overridden = AgentConfig.resolve(WITH_RECIPE, null, Map.of("recipe", "2024", "dyn_scale", "0.5"));
        assertThat(overridden.getDouble("dyn_scale")).isEqualTo(0.5);
        assertThat(overridden.getString("actor_grad")).isEqualTo("reinforce");

        // a preset may pick the recipe, and its own values still win over the recipe's
        AgentConfig fromPreset = AgentConfig.resolve(WITH_RECIPE, "new", Map.of());
        assertThat(fromPreset.getDouble("dyn_scale")).isEqualTo(1.0);
        assertThat(fromPreset.getString("actor_grad")).isEqualTo("auto");
        assertThat(AgentConfig.resolve(WITH_RECIPE, "new", Map.of("recipe", "2023")).getDouble("dyn_scale")).isEqualTo(0.5);

        assertThatThrownBy(() -> AgentConfig.resolve(WITH_RECIPE, null, Map.of("recipe", "2025")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not one of [2023, 2024]");
    }

    @Test
    void impliedValuesMustNameKeysAndFitThem() {
        ConfigKey scale = ConfigKey.decimal("dyn_scale", 0.5, 0, 100, "dyn");
        ConfigKey unknown = ConfigKey.choice("recipe", "a", List.of("a", "b"), "r").implying(Map.of("b", Map.of("dyn", "1")));
        assertThatThrownBy(() -> new AgentDescriptor("x", "", EnumSet.of(ActionKind.CONTINUOUS), Set.of(), List.of(unknown, scale),
                Map.of(), null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'dyn'");
        ConfigKey outOfRange = ConfigKey.choice("recipe", "a", List.of("a", "b"), "r")
                .implying(Map.of("b", Map.of("dyn_scale", "-1")));
        assertThatThrownBy(() -> new AgentDescriptor("x", "", EnumSet.of(ActionKind.CONTINUOUS), Set.of(),
                List.of(outOfRange, scale), Map.of(), null)).hasMessageContaining("-1 is outside [0, 100]");
        assertThatThrownBy(() -> ConfigKey.choice("recipe", "a", List.of("a", "b"), "r").implying(Map.of("c", Map.of())))
                .hasMessageContaining("not one of [a, b]");
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
