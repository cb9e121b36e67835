package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDManager;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.optim.NoGradient;

/**
 * The bench's MAE encoders: a preset's network with fresh random weights (the speed does not
 * depend on the weights), offered as the {@code mae} {@link ImageEncoder} the service would be.
 */
public final class MaeBenchEncoders {
    private MaeBenchEncoders() {}

    /** {@code small64} (64x64, patch 8, 6 blocks of 192), {@code vit_b16} (224x224) or {@code debug} (1 block of 32). */
    public static ImageEncoder random(String preset, NDManager manager) {
        MaeSizes sizes = switch (preset) {
            case "small64" -> new MaeSizes(64, 64, 3, 8, 192, 6, 3, 128, 2, 4);
            case "vit_b16" -> new MaeSizes(224, 224, 3, 16, 768, 12, 12, 512, 8, 16);
            case "debug" -> new MaeSizes(64, 64, 3, 8, 32, 1, 2, 32, 1, 2);
            default -> throw new IllegalArgumentException("no MAE preset " + preset);
        };
        try (NoGradient off = NoGradient.open()) {
            MaeModel model = new MaeModel(sizes);
            model.initialize(manager);
            return MaeImageEncoder.of(model, manager);
        }
    }
}
