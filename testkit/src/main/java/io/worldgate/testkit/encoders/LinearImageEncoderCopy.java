package io.worldgate.testkit.encoders;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.TrainableImageEncoder;
import io.worldgate.runtime.optim.Parameters;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An agent's trainable copy of a {@link LinearImageEncoder}: its encoder and decoder start as the
 * service's and live in the agent's manager; fine-tuning trains the encoder only.
 */
public final class LinearImageEncoderCopy implements TrainableImageEncoder {
    private final BlockGroup network = new BlockGroup();
    private final Linear encoder = network.add("encoder", LinearImageEncoder.layer(LinearImageEncoder.FEATURES));
    private final Linear decoder = network.add("decoder", LinearImageEncoder.layer(PoolingImageEncoder.FEATURES));
    private long losses;

    LinearImageEncoderCopy(NDManager target, BlockGroup from) {
        LinearImageEncoder.initialize(encoder, decoder, target);
        List<Parameter> src = Parameters.all(from);
        List<Parameter> dst = Parameters.all(network);
        for (int i = 0; i < src.size(); i++) {
            dst.get(i).getArray().set(new NDIndex("..."), src.get(i).getArray());
        }
    }

    /** The copy's encoder layer. */
    public Linear encoder() {
        return encoder;
    }

    /** The copy's decoder layer. */
    public Linear decoder() {
        return decoder;
    }

    @Override
    public Block network() {
        return network;
    }

    @Override
    public List<Parameter> encoderParameters() {
        return Parameters.trainable(encoder);
    }

    @Override
    public NDArray features(ParameterStore ps, NDArray images) {
        return LinearImageEncoder.apply(encoder, ps, PoolingImageEncoder.pool(images));
    }

    /** Calls of {@link #selfSupervisedLoss} so far: the online updates the agent took. */
    public long selfSupervisedLosses() {
        return losses;
    }

    @Override
    public NDArray selfSupervisedLoss(ParameterStore ps, NDArray images, SplittableRandom rng) {
        losses++;
        NDArray x = PoolingImageEncoder.pool(images);
        return LinearImageEncoder.apply(decoder, ps, LinearImageEncoder.apply(encoder, ps, x)).sub(x).square().mean();
    }
}
