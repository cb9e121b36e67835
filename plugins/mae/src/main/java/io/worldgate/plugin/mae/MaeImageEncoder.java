package io.worldgate.plugin.mae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.nn.EncoderFeatures;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.nn.TrainableImageEncoder;
import io.worldgate.runtime.optim.NoGradient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained MAE's encoder as an {@link ImageEncoder}: every patch encoded (no masking at
 * inference), the patch tokens after the final LayerNorm averaged into {@code D} features (the
 * class token is left out), without gradient; or, as the agent's {@code encoder_features} asks,
 * the class token or every patch token ({@link EncoderFeatures}). The weights are those of an MAE checkpoint, loaded
 * once; the encoder's parameters live on the CPU (or the device named) in a manager of its own.
 * An agent that fine-tunes it or trains it online gets a {@link #trainableCopy} and leaves these
 * weights as they are.
 */
final class MaeImageEncoder implements ImageEncoder, AutoCloseable {
    /** The paper's share of masked patches, for checkpoints that do not say. */
    static final double DEFAULT_MASK_RATIO = 0.75;
    private final MaeSizes sizes;
    private final NDManager manager;
    private final ParameterStore ps;
    private final MaeModel model;
    private final Path source;
    private final double maskRatio;
    private final boolean normPixLoss;

    private MaeImageEncoder(MaeSizes sizes, NDManager manager, MaeModel model, Path source, double maskRatio,
            boolean normPixLoss) {
        this.sizes = sizes;
        this.maskRatio = maskRatio;
        this.normPixLoss = normPixLoss;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        this.model = model;
        this.source = source;
    }

    /**
     * The encoder of the weights {@code path} names ({@link MaeWeights#locate}): an MAE checkpoint
     * directory, a learner run's directory (its newest sealed checkpoint), or Hugging Face
     * {@code ViTMAEModel} weights.
     *
     * @throws IllegalArgumentException if it names none of them
     */
    static MaeImageEncoder open(Path path, Device device) throws IOException, IncompatibleCheckpointException {
        MaeWeights weights = MaeWeights.locate(path);
        NDManager manager = NDManager.newBaseManager(device);
        try (NoGradient off = NoGradient.open()) {
            MaeModel model = new MaeModel(weights.sizes());
            model.initialize(manager);
            weights.loadInto(model);
            // the online mode goes on training with the weights' own loss settings
            return new MaeImageEncoder(weights.sizes(), manager, model, weights.source(), weights.maskRatio(),
                    weights.normPixLoss());
        } catch (IOException | IncompatibleCheckpointException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** An encoder over the weights of {@code model} as they are (for tests: no copy is made). */
    static MaeImageEncoder of(MaeModel model, NDManager manager) {
        return new MaeImageEncoder(model.sizes(), manager, model, null, DEFAULT_MASK_RATIO, true);
    }

    /** The network whose encoder this is (its weights are the service's: not to be trained). */
    MaeModel model() {
        return model;
    }

    /** The checkpoint or weights file the weights came from (null when lent a model). */
    Path source() {
        return source;
    }

    @Override
    public String name() {
        return MaeLearnerFactory.NAME;
    }

    @Override
    public int[] imageSize() {
        return new int[] {sizes.height(), sizes.width()};
    }

    @Override
    public long featureSize() {
        return sizes.dim();
    }

    @Override
    public long featureSize(EncoderFeatures kind) {
        return sizes.featureSize(kind);
    }

    @Override
    public NDArray encode(NDArray images) {
        return encode(images, EncoderFeatures.MEAN);
    }

    @Override
    public NDArray encode(NDArray images, EncoderFeatures kind) {
        try (NoGradient off = NoGradient.open()) {
            return features(model, ps, images, kind);
        }
    }

    /**
     * The features of the kind {@code kind}, {@code [..., F]}, that {@code model} gives uint8 images
     * {@code [..., H, W, C]} (recorded for backward inside a gradient scope).
     */
    static NDArray features(MaeModel model, ParameterStore ps, NDArray images, EncoderFeatures kind) {
        MaeSizes sizes = model.sizes();
        Shape leading = leadingAxes(images, sizes);
        NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(frames(images, sizes)), sizes.patch());
        return model.features(ps, patches, kind).reshape(leading.addAll(new Shape(sizes.featureSize(kind))));
    }

    /** Images {@code [..., H, W, C]} as {@code [n, H, W, C]}. */
    static NDArray frames(NDArray images, MaeSizes sizes) {
        long n = leadingAxes(images, sizes).size();
        return images.reshape(n, sizes.height(), sizes.width(), sizes.channels());
    }

    private static Shape leadingAxes(NDArray images, MaeSizes sizes) {
        Shape shape = images.getShape();
        int d = shape.dimension();
        if (d < 3 || shape.get(d - 3) != sizes.height() || shape.get(d - 2) != sizes.width()
                || shape.get(d - 1) != sizes.channels()) {
            throw new IllegalArgumentException("the mae encoder takes images [..., " + sizes.height() + ", " + sizes.width()
                    + ", " + sizes.channels() + "], not " + shape);
        }
        return shape.slice(0, d - 3);
    }

    /**
     * A copy of this encoder's MAE (encoder and decoder, so that the online mode can train it on
     * its reconstruction loss) with its parameters in {@code manager}.
     */
    @Override
    public TrainableImageEncoder trainableCopy(NDManager target) {
        try (NoGradient off = NoGradient.open()) {
            MaeModel copy = new MaeModel(sizes);
            copy.initialize(target);
            PairList<String, Parameter> from = model.getParameters();
            PairList<String, Parameter> to = copy.getParameters();
            for (int i = 0; i < from.size(); i++) {
                NDArray src = from.get(i).getValue().getArray();
                to.get(i).getValue().getArray().set(new NDIndex("..."), src.toDevice(target.getDevice(), true));
            }
            return new MaeTrainableEncoder(copy, maskRatio, normPixLoss);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
