package io.worldgate.plugin.tdmpc2;

import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.space.Spaces;
import java.util.EnumSet;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The TD-MPC2 plugin's factory (Hansen, Su and Wang, ICLR 2024), for continuous actions.
 *
 * <p>Presets ({@code src/main/resources/presets}): {@code 5M} (the default, the paper's default
 * model), {@code 1M} (the authors' 1M size), and {@code debug}, a tiny model for tests.
 */
@Component(service = AgentFactory.class)
public final class TdMpc2AgentFactory implements AgentFactory {
    static final String NAME = "tdmpc2";

    /** TD-MPC2 does one update per environment step. */
    static final double DEFAULT_TRAIN_RATIO = 1.0;

    private static final AgentDescriptor DESCRIPTOR = new AgentDescriptor(
            NAME,
            "TD-MPC2: SimNorm latent world model, Q ensemble and policy prior; plans with MPPI in the latent space.",
            EnumSet.of(ActionKind.CONTINUOUS),
            Set.of(Spaces.IMAGE, Spaces.STATE),
            TdMpc2Config.keys(),
            ConfigPresets.load(TdMpc2AgentFactory.class, "presets", "5M", "1M", "debug"),
            "5M",
            DEFAULT_TRAIN_RATIO);

    @Override
    public AgentDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        TdMpc2Config c = TdMpc2Config.from(config);
        if (!(spec.actionSpace() instanceof BoxSpace actions)) {
            throw new AgentException("tdmpc2 acts in continuous (box) action spaces, " + spec.id() + " has " + spec.actionSpace());
        }
        // absent, the host pauses the run until a plugin offers it (or the user picks encoder=cnn)
        ImageEncoder encoder = c.encoderSettings().service(context);
        return new TdMpc2Agent(spec, c, context, TdMpc2Planning.create(c, actions.numElements()), encoder);
    }
}
