package io.worldgate.plugin.worldmodels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.AutocastBlocks;
import io.worldgate.runtime.nn.Heads;
import io.worldgate.runtime.nn.TransposedConv2d;
import io.worldgate.runtime.tensor.Scalars;

/**
 * V, the paper's convolutional VAE for 64x64x3 frames. Encoder: four convolutions with 4x4 kernels
 * and stride 2 (32, 64, 128, 256 channels, ReLU, no padding: 64 -> 31 -> 14 -> 6 -> 2), flattened
 * to 1024 features, then two linear maps to the mean and the log-variance of z. Decoder: a linear
 * map of z to 1024 features seen as a 1x1 image, then four transposed convolutions with stride 2
 * (kernels 5, 5, 6, 6; 128, 64, 32, 3 channels; 1 -> 5 -> 13 -> 30 -> 64), ReLU between them and a
 * sigmoid at the end: pixel intensities in [0, 1].
 *
 * <p>The first transposed convolution reads a 1x1 image, so each of its 5x5x128 outputs is a
 * weighted sum of the 1024 inputs: it is computed as that linear map (the same 1024 x 3200
 * weights; its bias is per output position, not per channel). Computed as a convolution over the
 * zero-padded input it took 25 times the multiplications, more than the rest of V together.
 */
final class Vae extends BlockGroup {
    static final int SIZE = 64;
    private static final int[] ENC_CHANNELS = {32, 64, 128, 256};
    private static final int[] DEC_CHANNELS = {128, 64, 32, 3};
    private static final int[] DEC_KERNELS = {5, 5, 6, 6};
    private static final int FEATURES = 1024;

    private final int zSize;
    private final Conv2d[] enc = new Conv2d[4];
    private final Linear mu;
    private final Linear logVar;
    private final Linear project;
    private final Linear dec0;
    private final TransposedConv2d[] dec = new TransposedConv2d[3];

    Vae(int zSize) {
        this.zSize = zSize;
        for (int i = 0; i < 4; i++) {
            enc[i] = add("enc" + i, new AutocastBlocks.Conv2d(Conv2d.builder().setFilters(ENC_CHANNELS[i])
                    .setKernelShape(new Shape(4, 4)).optStride(new Shape(2, 2))));
        }
        mu = add("mu", Heads.linear(zSize, true));
        logVar = add("logvar", Heads.linear(zSize, true));
        project = add("project", Heads.linear(FEATURES, true));
        dec0 = add("dec0", Heads.linear((long) DEC_CHANNELS[0] * DEC_KERNELS[0] * DEC_KERNELS[0], true));
        for (int i = 1; i < 4; i++) {
            dec[i - 1] = add("dec" + i, new TransposedConv2d(DEC_CHANNELS[i], DEC_KERNELS[i], 2, 0, true));
        }
    }

    int zSize() {
        return zSize;
    }

    void initializeParts(NDManager manager) {
        Shape x = new Shape(1, 3, SIZE, SIZE);
        for (Conv2d c : enc) {
            c.initialize(manager, DataType.FLOAT32, x);
            x = c.getOutputShapes(new Shape[] {x})[0];
        }
        Shape f = new Shape(1, FEATURES);
        mu.initialize(manager, DataType.FLOAT32, f);
        logVar.initialize(manager, DataType.FLOAT32, f);
        project.initialize(manager, DataType.FLOAT32, new Shape(1, zSize));
        dec0.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES));
        Shape y = new Shape(1, DEC_CHANNELS[0], DEC_KERNELS[0], DEC_KERNELS[0]);
        for (TransposedConv2d d : dec) {
            d.initialize(manager, DataType.FLOAT32, y);
            y = d.getOutputShapes(new Shape[] {y})[0];
        }
    }

    /** uint8 frames {@code [B, 64, 64, 3]} as float NCHW {@code [B, 3, 64, 64]} in [0, 1]. */
    static NDArray pixels(NDArray frames) {
        return Scalars.div(frames.toType(DataType.FLOAT32, false), 255f).transpose(0, 3, 1, 2);
    }

    /** The posterior's mean and log-variance {@code [B, z]} for images {@code [B, 3, 64, 64]}. */
    NDList encode(ParameterStore ps, NDArray images, boolean training) {
        NDArray x = images;
        for (Conv2d c : enc) {
            x = Activation.relu(c.forward(ps, new NDList(x), training).singletonOrThrow());
        }
        x = x.reshape(x.getShape().get(0), FEATURES);
        return new NDList(mu.forward(ps, new NDList(x), training).singletonOrThrow(),
                logVar.forward(ps, new NDList(x), training).singletonOrThrow());
    }

    /** A draw {@code z = mu + exp(logVar / 2) * eps} from the posterior, for standard normal {@code eps}. */
    static NDArray draw(NDArray mu, NDArray logVar, NDArray eps) {
        return mu.add(Scalars.mul(logVar, 0.5f).exp().mul(eps));
    }

    /** Reconstructed images {@code [B, 3, 64, 64]} in [0, 1] for latents {@code [B, z]}. */
    NDArray decode(ParameterStore ps, NDArray z, boolean training) {
        NDArray x = project.forward(ps, new NDList(z), training).singletonOrThrow();
        x = Activation.relu(dec0.forward(ps, new NDList(x), training).singletonOrThrow());
        x = x.reshape(x.getShape().get(0), DEC_CHANNELS[0], DEC_KERNELS[0], DEC_KERNELS[0]);
        for (int i = 0; i < 3; i++) {
            x = dec[i].forward(ps, new NDList(x), training).singletonOrThrow();
            x = i < 2 ? Activation.relu(x) : Activation.sigmoid(x);
        }
        return x;
    }
}
