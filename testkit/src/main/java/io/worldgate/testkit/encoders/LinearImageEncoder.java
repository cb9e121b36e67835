package io.worldgate.testkit.encoders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.nn.TrainableImageEncoder;
import io.worldgate.runtime.optim.NoGradient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stand-in for a trainable encoder service, named {@code lin}: {@link PoolingImageEncoder}'s
 * 8x8 pooling, then a linear encoder of 16 features; its self-supervised loss is a linear
 * decoder's error on the pooled pixels. It keeps every {@link LinearImageEncoderCopy} it made, so
 * that a test can compare the agents' copies with the service's own weights.
 */
public final class LinearImageEncoder implements ImageEncoder, AutoCloseable {
    /** Features per image. */
    public static final long FEATURES = 16;

    private final NDManager manager = NDManager.newBaseManager();
    private final BlockGroup network = new BlockGroup();
    private final Linear encoder = network.add("encoder", layer(FEATURES));
    private final Linear decoder = network.add("decoder", layer(PoolingImageEncoder.FEATURES));
    private final ParameterStore ps = new ParameterStore(manager, false);
    private final List<LinearImageEncoderCopy> copies = new ArrayList<>();

    public LinearImageEncoder() {
        try (NoGradient off = NoGradient.open()) {
            initialize(encoder, decoder, manager);
        }
    }

    static Linear layer(long units) {
        return Linear.builder().setUnits(units).build();
    }

    static void initialize(Linear encoder, Linear decoder, NDManager manager) {
        encoder.initialize(manager, DataType.FLOAT32, new Shape(1, PoolingImageEncoder.FEATURES));
        decoder.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES));
    }

    static NDArray apply(Block block, ParameterStore ps, NDArray x) {
        return block.forward(ps, new NDList(x), true).singletonOrThrow();
    }

    /** The service's encoder and decoder, as one block. */
    public BlockGroup network() {
        return network;
    }

    /** The service's encoder layer (pooled pixels to features). */
    public Linear encoder() {
        return encoder;
    }

    /** The service's decoder layer (features to pooled pixels). */
    public Linear decoder() {
        return decoder;
    }

    /** The copies {@link #trainableCopy} made, in order. */
    public List<LinearImageEncoderCopy> copies() {
        return Collections.unmodifiableList(copies);
    }

    @Override
    public String name() {
        return "lin";
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
        try (NoGradient off = NoGradient.open()) {
            return apply(encoder, ps, PoolingImageEncoder.pool(images));
        }
    }

    @Override
    public TrainableImageEncoder trainableCopy(NDManager target) {
        LinearImageEncoderCopy copy = new LinearImageEncoderCopy(target, network);
        copies.add(copy);
        return copy;
    }

    @Override
    public void close() {
        manager.close();
    }
}
