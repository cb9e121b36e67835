package io.worldgate.testkit.encoders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.nn.ImageEncoder;

/**
 * A stand-in for another plugin's frozen encoder service, named {@code pool}: 8x8 average pooling
 * of 64x64 RGB pixels scaled to [0, 1], 192 features. It has no weights, so it cannot be trained.
 */
public final class PoolingImageEncoder implements ImageEncoder {
    /** Features per image: an 8x8 grid of 3 channels. */
    public static final long FEATURES = 8 * 8 * 3;

    /** Pooled features {@code [..., 192]} of uint8 channels-last 64x64x3 images {@code [..., 64, 64, 3]}. */
    public static NDArray pool(NDArray images) {
        Shape s = images.getShape();
        NDArray x = images.toType(DataType.FLOAT32, false).div(255f).reshape(-1, 8, 8, 8, 8, 3).mean(new int[] {2})
                .mean(new int[] {3});
        return x.reshape(s.slice(0, s.dimension() - 3).add(FEATURES));
    }

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public int[] imageSize() {
        return new int[] {64, 64};
    }

    @Override
    public long featureSize() {
        return FEATURES;
    }

    @Override
    public NDArray encode(NDArray images) {
        return pool(images);
    }
}
