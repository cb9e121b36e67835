package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * An image encoder that one plugin offers to others as an OSGi service, such as a pre-trained MAE
 * vision transformer that Dreamer uses in place of its own CNN ({@code encoder=mae}).
 *
 * <p>Register an implementation with the service property {@code worldgate.service.name} set to
 * the name users pass (the host looks services up by it, see {@code AgentContext.service}). The
 * encoder is <em>frozen</em> from the caller's point of view: it computes features without
 * gradients, and a caller that wants to adapt them trains a layer of its own on top.
 *
 * <p>Lifetimes follow the runtime's rule: the result is attached to the manager of
 * {@code images} (the caller's update or act scope), and the encoder keeps nothing of the call.
 * Implementations must be safe to call from the threads of several runs, one call at a time per
 * thread.
 *
 * <p>Agents that fine-tune the encoder or train it online ({@link EncoderMode}) ask for a
 * {@link #trainableCopy} of its weights instead: the service itself is shared by every run and
 * never changes.
 */
public interface ImageEncoder {

    /** The service property that names an encoder, as the host's {@code AgentContext.service} looks it up. */
    String SERVICE_NAME_PROPERTY = "worldgate.service.name";

    /** The name users give to pick this encoder, such as {@code mae}. */
    String name();

    /** The image height and width the encoder expects, {@code [H, W]}; other sizes are rejected. */
    int[] imageSize();

    /** Number of features per image. */
    long featureSize();

    /**
     * Features of uint8 channels-last images {@code [..., H, W, C]} (any leading axes, C = 3):
     * float32 {@code [..., F]}, without gradient, attached to {@code images}' manager.
     *
     * @throws IllegalArgumentException for another image size or channel count
     */
    NDArray encode(NDArray images);

    /**
     * Number of features per image of the kind {@code features}: {@link #featureSize()} for
     * {@link EncoderFeatures#MEAN}; an encoder that has tokens says how many values its other kinds
     * give (runtime.nn 1.7).
     *
     * @throws UnsupportedOperationException if this encoder does not give that kind (the default
     *     for all but {@code MEAN})
     */
    default long featureSize(EncoderFeatures features) {
        if (features != EncoderFeatures.MEAN) {
            throw unsupported(name(), features);
        }
        return featureSize();
    }

    /**
     * Features of the kind {@code features} of uint8 images {@code [..., H, W, C]}: float32
     * {@code [..., featureSize(features)]}, as {@link #encode(NDArray)} (which gives
     * {@link EncoderFeatures#MEAN}).
     *
     * @throws UnsupportedOperationException if this encoder does not give that kind
     */
    default NDArray encode(NDArray images, EncoderFeatures features) {
        if (features != EncoderFeatures.MEAN) {
            throw unsupported(name(), features);
        }
        return encode(images);
    }

    /** The refusal of an encoder named {@code name} that gives only its own vector. */
    private static UnsupportedOperationException unsupported(String name, EncoderFeatures features) {
        return new UnsupportedOperationException("the image encoder '" + name + "' gives no " + features.key()
                + " features (encoder_features=" + EncoderFeatures.MEAN.key() + " only)");
    }

    /**
     * A copy of the encoder's current weights whose parameters live in {@code manager}, for one
     * agent to train (see {@link EncoderMode}); the service is left as it is.
     *
     * @throws UnsupportedOperationException if this encoder can only be used frozen (the default)
     */
    default TrainableImageEncoder trainableCopy(NDManager manager) {
        throw new UnsupportedOperationException("the image encoder '" + name()
                + "' can only be used frozen (encoder_mode=frozen)");
    }
}
