package io.worldgate.plugin.dreamer;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.runtime.nn.EncoderSettings;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.space.Spaces;
import java.util.EnumSet;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The Dreamer plugin's factory: DreamerV3 by default (its first release's recipe; {@code recipe=2024}
 * for the current one, see {@link DreamerConfig#RECIPES}), with DreamerV2's KL balancing
 * ({@code kl_balance=0.8}) and HarmonyDream's loss balancing ({@code loss_balance=harmony}) as
 * options, and another plugin's image encoder through {@code encoder=<name>}.
 *
 * <p>Presets ({@code src/main/resources/presets}): {@code dmc_vision}, {@code dmc_proprio} and
 * {@code atari100k} are DreamerV3's published settings (the "small" model: deter 512, units 512,
 * 2 layers, CNN depth 32); {@code debug} is a tiny model for tests. Without a preset the keys'
 * defaults apply, which are the same small model observing everything the environment offers.
 */
@Component(service = AgentFactory.class)
public final class DreamerAgentFactory implements AgentFactory {
    static final String NAME = "dreamer";

    /**
     * Updates per env step when the user gives no {@code --train-ratio}: DreamerV3's replay ratio
     * 512 at its batch of 16 sequences of 64 steps (the default model and the DMC presets).
     */
    static final double DEFAULT_TRAIN_RATIO = 0.5;

    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "DreamerV3 world-model agent (RSSM, imagination actor-critic); recipe=2024 for its current recipe, "
                    + "kl_balance for DreamerV2, loss_balance=harmony for HarmonyDream.",
            EnumSet.of(ActionKind.DISCRETE, ActionKind.CONTINUOUS),
            Set.of(Spaces.IMAGE, Spaces.STATE),
            DreamerConfig.keys(),
            ConfigPresets.load(DreamerAgentFactory.class, "presets", "dmc_vision", "dmc_proprio", "atari100k", "debug"),
            null,
            DEFAULT_TRAIN_RATIO);

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        DreamerConfig c = DreamerConfig.from(config);
        EncoderSettings encoding = EncoderSettings.of(config);
        // absent, the host pauses the run until a plugin offers it (or the user picks encoder=cnn)
        ImageEncoder encoder = encoding.service(context);
        return new DreamerAgent(spec, c, context, encoder, encoding);
    }
}
