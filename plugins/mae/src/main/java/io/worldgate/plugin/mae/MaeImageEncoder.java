package io.worldgate.plugin.mae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.runtime.nn.ImageEncoder;
import io.worldgate.runtime.optim.NoGradient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained MAE's encoder as an {@link ImageEncoder}: every patch encoded (no masking at
 * inference), the patch tokens after the final LayerNorm averaged into {@code D} features (the
 * class token is left out), without gradient. The weights are those of an MAE checkpoint, loaded
 * once; the encoder's parameters live on the CPU (or the device named) in a manager of its own.
 */
final class MaeImageEncoder implements ImageEncoder, AutoCloseable {
    private final MaeSizes sizes;
    private final NDManager manager;
    private final ParameterStore ps;
    private final MaeModel model;
    private final Path source;

    private MaeImageEncoder(MaeSizes sizes, NDManager manager, MaeModel model, Path source) {
        this.sizes = sizes;
        this.manager = manager;
        this.ps = new ParameterStore(manager, false);
        this.model = model;
        this.source = source;
    }

    /** The encoder of the MAE checkpoint in {@code checkpoint} (a directory a learner saved). */
    static MaeImageEncoder load(Path checkpoint, Device device) throws IOException, IncompatibleCheckpointException {
        MaeSizes sizes = MaeSizes.fromProperties(MaeCheckpoint.readState(checkpoint));
        NDManager manager = NDManager.newBaseManager(device);
        try (NoGradient off = NoGradient.open()) {
            MaeModel model = new MaeModel(sizes);
            model.initialize(manager);
            BlockCheckpoint.load(model, checkpoint, MaeCheckpoint.NETWORK, MaeCheckpoint.NETWORK_KIND);
            return new MaeImageEncoder(sizes, manager, model, checkpoint);
        } catch (IOException | IncompatibleCheckpointException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** An encoder over the weights of {@code model} as they are (for tests: no copy is made). */
    static MaeImageEncoder of(MaeModel model, NDManager manager) {
        return new MaeImageEncoder(model.sizes(), manager, model, null);
    }

    /** The checkpoint the weights came from (null when lent a model). */
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
    public NDArray encode(NDArray images) {
        Shape shape = images.getShape();
        int d = shape.dimension();
        if (d < 3 || shape.get(d - 3) != sizes.height() || shape.get(d - 2) != sizes.width()
                || shape.get(d - 1) != sizes.channels()) {
            throw new IllegalArgumentException("the mae encoder takes images [..., " + sizes.height() + ", " + sizes.width()
                    + ", " + sizes.channels() + "], not " + shape);
        }
        Shape leading = shape.slice(0, d - 3);
        long n = leading.size();
        try (NoGradient off = NoGradient.open()) {
            NDArray frames = images.reshape(n, sizes.height(), sizes.width(), sizes.channels());
            NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(frames), sizes.patch());
            NDArray features = model.features(ps, patches);
            return features.reshape(leading.addAll(new Shape(sizes.dim())));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
