package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A copy of an {@link ImageEncoder}'s network that one agent owns and trains (encoder modes
 * {@link EncoderMode#FINETUNE} and {@link EncoderMode#ONLINE}), made by
 * {@link ImageEncoder#trainableCopy}. Its parameters live in the agent's manager, its classes in
 * the provider's bundle: the agent checkpoints {@link #network()} with its own networks and drops
 * the copy when the service goes (the host then creates the agent again from that checkpoint).
 */
public interface TrainableImageEncoder {

    /** Every parameter of the copy (encoder and, for an autoencoder, its decoder), as one block. */
    Block network();

    /** The encoder's own parameters: what fine-tuning trains (no decoder). */
    List<Parameter> encoderParameters();

    /**
     * Features {@code [..., F]} of uint8 channels-last images {@code [..., H, W, C]}, recorded for
     * backward when called inside a gradient scope (every patch encoded: no masking).
     */
    NDArray features(ParameterStore ps, NDArray images);

    /**
     * Features of the kind {@code features} (see {@link ImageEncoder#encode(NDArray,
     * EncoderFeatures)}), with gradient as {@link #features(ParameterStore, NDArray)}.
     *
     * @throws UnsupportedOperationException if the encoder does not give that kind (the default for
     *     all but {@link EncoderFeatures#MEAN})
     */
    default NDArray features(ParameterStore ps, NDArray images, EncoderFeatures features) {
        if (features != EncoderFeatures.MEAN) {
            throw new UnsupportedOperationException("this image encoder gives no " + features.key() + " features");
        }
        return features(ps, images);
    }

    /**
     * The encoder's own self-supervised loss, a scalar, on images {@code [N, H, W, C]}: for an MAE
     * the reconstruction error of randomly masked patches, the masks drawn from {@code rng}.
     */
    NDArray selfSupervisedLoss(ParameterStore ps, NDArray images, SplittableRandom rng);
}
