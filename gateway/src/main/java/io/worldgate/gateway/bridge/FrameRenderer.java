package io.worldgate.gateway.bridge;

import io.worldgate.api.tensor.Tensor;
import java.util.Optional;

/**
 * A vectorized environment that can draw one of its environments as a picture, for evaluation
 * videos of environments whose observations hold no image (the run loop records the {@code image}
 * observation when there is one).
 */
public interface FrameRenderer {

    /**
     * The current frame of environment {@code envIndex} as a {@code uint8 [H, W, 3]} RGB tensor,
     * or empty when that environment cannot be drawn.
     */
    Optional<Tensor> renderFrame(int envIndex);
}
