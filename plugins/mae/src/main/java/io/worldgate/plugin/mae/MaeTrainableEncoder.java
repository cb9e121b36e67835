package io.worldgate.plugin.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.EncoderFeatures;
import io.worldgate.runtime.nn.TrainableImageEncoder;
import io.worldgate.runtime.optim.Parameters;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One agent's copy of the MAE (encoder and decoder): its {@link #features} are the service's
 * (every patch encoded; the mean of the patch tokens, the class token or every token), with gradient; its self-supervised loss is
 * the learner's, the masked reconstruction of each frame with its own random masking.
 */
final class MaeTrainableEncoder implements TrainableImageEncoder {
    private final MaeModel model;
    private final double maskRatio;
    private final boolean normPixLoss;

    MaeTrainableEncoder(MaeModel model, double maskRatio, boolean normPixLoss) {
        this.model = model;
        this.maskRatio = maskRatio;
        this.normPixLoss = normPixLoss;
    }

    @Override
    public Block network() {
        return model;
    }

    @Override
    public List<Parameter> encoderParameters() {
        return Parameters.trainable(model.encoder());
    }

    @Override
    public NDArray features(ParameterStore ps, NDArray images) {
        return features(ps, images, EncoderFeatures.MEAN);
    }

    @Override
    public NDArray features(ParameterStore ps, NDArray images, EncoderFeatures kind) {
        return MaeImageEncoder.features(model, ps, images, kind);
    }

    @Override
    public NDArray selfSupervisedLoss(ParameterStore ps, NDArray images, SplittableRandom rng) {
        MaeSizes sizes = model.sizes();
        NDArray frames = MaeImageEncoder.frames(images, sizes);
        NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(frames), sizes.patch());
        Masking masking = Masking.random((int) frames.getShape().get(0), sizes.patches(), maskRatio, rng);
        MaskArrays m = MaskArrays.of(frames.getManager(), masking);
        NDArray predicted = model.decode(ps, model.encode(ps, patches, m.keep(), true), m.restore(), true);
        return MaeLosses.reconstruction(predicted, MaeLosses.target(patches, normPixLoss), m.mask());
    }
}
