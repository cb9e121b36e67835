package io.worldgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A learner's configuration resolves as an agent's; its observation keys say what experience it can use. */
class LearnerDescriptorTest {
    private static final LearnerDescriptor MAE_LIKE = new LearnerDescriptor("mae", "masked autoencoder", Set.of("image"),
            List.of(ConfigKey.integer("patch", 8, 1, 64, "patch size"), ConfigKey.decimal("mask_ratio", 0.75, 0, 1, "masked")),
            Map.of("vit_b16", Map.of("patch", "16")), "vit_b16");

    @Test
    void valuesComeFromDefaultsThenPresetThenOverrides() {
        AgentConfig c = MAE_LIKE.resolve(null, Map.of("mask_ratio", "0.5"));
        assertThat(c.preset()).isEqualTo("vit_b16");
        assertThat(c.getInt("patch")).isEqualTo(16);
        assertThat(c.getDouble("mask_ratio")).isEqualTo(0.5);
    }

    @Test
    void unknownKeysPresetsAndBadValuesAreRefusedNamingTheLearner() {
        assertThatThrownBy(() -> MAE_LIKE.resolve(null, Map.of("patchsize", "8"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("learner mae has no config key 'patchsize'").hasMessageContaining("mask_ratio, patch");
        assertThatThrownBy(() -> MAE_LIKE.resolve("tiny", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("learner mae has no preset 'tiny'");
        assertThatThrownBy(() -> MAE_LIKE.resolve(null, Map.of("mask_ratio", "2"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new LearnerDescriptor("MAE", "", Set.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LearnerDescriptor("mae", "", Set.of(), List.of(), Map.of(), "vit_b16"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExperienceWithoutTheObservationsItNeedsIsIncompatible() {
        DictSpace state = new DictSpace(Map.of("state", BoxSpace.uniform(io.worldgate.api.tensor.DType.FLOAT32, -1, 1, 4)));
        DictSpace image = new DictSpace(Map.of("image", BoxSpace.image(64, 64, 3)));
        assertThat(MAE_LIKE.incompatibility(state)).get().asString().contains("mae needs one of the observations [image]");
        assertThat(MAE_LIKE.incompatibility(image)).isEmpty();
    }
}
