package io.worldgate.plugin.mae;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.io.BlockCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The weights a user names for an MAE (the encoder service's {@code -Dworldgate.mae.weights}, the
 * learner's {@code weights}): an MAE checkpoint, a learner run (its newest sealed checkpoint), or
 * Hugging Face {@code ViTMAEModel} weights. They carry the network's sizes.
 */
sealed interface MaeWeights {

    /** The architecture the weights are for. */
    MaeSizes sizes();

    /** The checkpoint directory or weights file. */
    Path source();

    /** The share of patches masked in training (the online mode goes on with it). */
    double maskRatio();

    /** Whether training regressed normalised patches. */
    boolean normPixLoss();

    /** Copies the weights into {@code model}, initialised at {@link #sizes()}. */
    void loadInto(MaeModel model) throws IOException, IncompatibleCheckpointException;

    /**
     * The weights {@code path} names.
     *
     * @throws IllegalArgumentException if it names none
     */
    static MaeWeights locate(Path path) throws IOException, IncompatibleCheckpointException {
        Optional<Path> checkpoint = MaeCheckpoint.locate(path);
        if (checkpoint.isPresent()) {
            Map<String, String> state = MaeCheckpoint.readState(checkpoint.get());
            return new Checkpoint(checkpoint.get(), state, MaeSizes.fromProperties(state));
        }
        Optional<HfVitMae.Source> hf = HfVitMae.locate(path);
        if (hf.isPresent()) {
            Path config = hf.get().config();
            return new HuggingFace(hf.get(), HfVitMae.sizes(config), HfVitMae.maskRatio(config),
                    HfVitMae.normPixLoss(config));
        }
        throw new IllegalArgumentException("no MAE weights in " + path + ": neither an MAE checkpoint (nor a sealed one"
                + " under its checkpoints/) nor Hugging Face ViT-MAE weights (" + HfVitMae.CONFIG + " and a .safetensors"
                + " file)");
    }

    /** An MAE checkpoint a learner wrote. */
    record Checkpoint(Path source, Map<String, String> state, MaeSizes sizes) implements MaeWeights {
        @Override
        public double maskRatio() {
            return Double.parseDouble(state.getOrDefault("maskRatio", Double.toString(MaeImageEncoder.DEFAULT_MASK_RATIO)));
        }

        @Override
        public boolean normPixLoss() {
            return Boolean.parseBoolean(state.getOrDefault("normPixLoss", "true"));
        }

        @Override
        public void loadInto(MaeModel model) throws IOException, IncompatibleCheckpointException {
            BlockCheckpoint.load(model, source, MaeCheckpoint.NETWORK, MaeCheckpoint.NETWORK_KIND);
        }
    }

    /** A Hugging Face {@code ViTMAEModel}'s encoder (the decoder stays freshly initialised). */
    record HuggingFace(HfVitMae.Source files, MaeSizes sizes, double maskRatio, boolean normPixLoss)
            implements MaeWeights {
        @Override
        public Path source() {
            return files.weights();
        }

        @Override
        public void loadInto(MaeModel model) throws IOException, IncompatibleCheckpointException {
            HfVitMae.load(model, files.weights());
        }
    }
}
