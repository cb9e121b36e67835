package io.worldgate.plugin.mae;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.api.agent.ConfigPresets;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.learner.LearnerDescriptor;
import io.worldgate.api.learner.LearnerFactory;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.runtime.optim.NoGradient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * The MAE learner: pre-trains a masked autoencoder on the image frames of a run's experience
 * ({@code ./worldgate learn mae --from-run RUN}). Presets {@code small64} (the default, 64x64
 * frames), {@code vit_b16} (the paper's ViT-B/16 for 224x224) and {@code debug}.
 */
@Component(service = LearnerFactory.class)
public class MaeLearnerFactory implements LearnerFactory {
    public static final String NAME = "mae";

    private static final LearnerDescriptor DESCRIPTOR = new LearnerDescriptor(NAME,
            "masked autoencoder (ViT) pre-trained on a run's image frames; its checkpoint feeds the 'mae' image encoder",
            Set.of("image"),
            List.of(ConfigKey.string("key", "image", "the image observation, uint8 [H, W, C]"),
                    ConfigKey.integer("patch", 8, 1, 512, "patch side in pixels; must divide the frame's height and width"),
                    ConfigKey.integer("width", 192, 4, 4096, "encoder width (a multiple of 4 and of heads)"),
                    ConfigKey.integer("depth", 6, 1, 64, "encoder transformer blocks"),
                    ConfigKey.integer("heads", 3, 1, 64, "encoder attention heads"),
                    ConfigKey.integer("decoder_width", 128, 4, 4096, "decoder width (a multiple of 4 and of decoder_heads)"),
                    ConfigKey.integer("decoder_depth", 2, 1, 64, "decoder transformer blocks"),
                    ConfigKey.integer("decoder_heads", 4, 1, 64, "decoder attention heads"),
                    ConfigKey.decimal("mask_ratio", 0.75, 0.01, 0.99, "share of each frame's patches masked in training"),
                    ConfigKey.bool("norm_pix_loss", true, "regress each patch normalised by its own mean and std"),
                    ConfigKey.integer("batch", 64, 1, 4096, "frames per update"),
                    ConfigKey.decimal("lr", 1e-3, 0.0, 1.0, "AdamW learning rate (beta2 0.95) after the warm-up"),
                    ConfigKey.decimal("weight_decay", 0.05, 0.0, 1.0, "AdamW decoupled weight decay"),
                    ConfigKey.integer("warmup", 200, 0, 10_000_000, "updates of linear learning-rate warm-up"),
                    ConfigKey.integer("image_every", 500, 0, Integer.MAX_VALUE,
                            "updates between reconstruction images (masked | reconstruction | original); 0: none"),
                    ConfigKey.integer("image_count", 4, 1, 64, "frames per reconstruction image"),
                    ConfigKey.bool("eval_only", false, "no training: each update only measures the reconstruction loss"
                            + " (held-out frames with 'weights'; without, the checkpoint is the random initialisation)"),
                    ConfigKey.string("weights", "", "start from these weights (an MAE checkpoint or learner run, or Hugging"
                            + " Face ViTMAEModel weights: config.json and model.safetensors); they set the sizes")),
            ConfigPresets.load(MaeLearnerFactory.class, "presets", "small64", "vit_b16", "debug"), "small64");

    @Override
    public LearnerDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Learner create(LearnerContext context, AgentConfig config) {
        String key = config.getString("key");
        Space space = context.observationSpace().spaces().get(key);
        if (!(space instanceof BoxSpace box) || box.dtype() != DType.UINT8 || box.shape().length != 3) {
            throw new AgentException("mae: needs a uint8 image observation [H, W, C] named '" + key + "'; there are "
                    + context.observationSpace().spaces());
        }
        int[] s = box.shape();
        String weights = config.getString("weights").trim();
        if (!weights.isEmpty()) {
            return fromWeights(context, config, key, s, Path.of(weights));
        }
        MaeSizes sizes;
        try {
            sizes = MaeSizes.of(config, s[0], s[1], s[2]);
        } catch (IllegalArgumentException e) {
            throw new AgentException("mae: " + e.getMessage());
        }
        return new MaeLearner(context, MaeSettings.of(config, key), sizes);
    }

    /** A learner that starts from the weights {@code path} names, at their sizes. */
    private static Learner fromWeights(LearnerContext context, AgentConfig config, String key, int[] frame, Path path) {
        MaeLearner learner = null;
        try {
            MaeWeights weights = MaeWeights.locate(path);
            MaeSizes sizes = weights.sizes();
            if (sizes.height() != frame[0] || sizes.width() != frame[1] || sizes.channels() != frame[2]) {
                throw new AgentException("mae: the weights in " + path + " take " + sizes.height() + "x" + sizes.width()
                        + "x" + sizes.channels() + " frames, '" + key + "' is " + frame[0] + "x" + frame[1] + "x" + frame[2]);
            }
            learner = new MaeLearner(context, MaeSettings.of(config, key), sizes);
            try (NoGradient off = NoGradient.open()) {
                weights.loadInto(learner.model());
            }
            return learner;
        } catch (IOException | IncompatibleCheckpointException | IllegalArgumentException e) {
            if (learner != null) {
                learner.close();
            }
            throw new AgentException("mae: weights=" + path + ": " + e.getMessage());
        }
    }
}
