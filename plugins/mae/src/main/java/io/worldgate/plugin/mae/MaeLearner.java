package io.worldgate.plugin.mae;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.learner.Learner;
import io.worldgate.api.learner.LearnerContext;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.runtime.Devices;
import io.worldgate.runtime.UpdateScope;
import io.worldgate.runtime.agent.CheckpointFiles;
import io.worldgate.runtime.io.BlockCheckpoint;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.tensor.Scalars;
import io.worldgate.runtime.tensor.Tensors;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.worldgate.runtime.agent.ResumedRandom;
import java.util.SplittableRandom;

/**
 * Pre-trains an {@link MaeModel} on frames of a run's experience. One {@link #update}: a batch of
 * frames ({@code sampleFrames}), a fresh random {@link Masking} per frame, the reconstruction loss
 * of {@link MaeLosses} on the masked patches, one AdamW step (β = (0.9, 0.95), the paper's; a
 * linear learning-rate warm-up). Every {@code image_every} updates it sends the masked input, the
 * reconstruction (visible patches pasted back, as the paper shows them) and the original, side by
 * side, as the image {@value #IMAGE_TAG}. With {@code eval_only} an update is the same batch and
 * loss without the gradient and the step: the reconstruction error of given weights on another
 * run's (held-out) frames, or, without weights, a checkpoint of the random initialisation.
 *
 * <p>Its checkpoint ({@link MaeCheckpoint}) holds the network, the optimizer and the sizes; the
 * {@code mae} encoder service loads it.
 */
final class MaeLearner implements Learner {
    static final String IMAGE_TAG = "mae/reconstruction";

    private final LearnerContext context;
    private final MaeSettings settings;
    private final MaeSizes sizes;
    private final NDManager manager;
    private final ParameterStore ps;
    private final MaeModel model;
    private final Adam optimizer;
    private final long seed;
    private SplittableRandom rng;
    private long updates;
    private boolean closed;

    MaeLearner(LearnerContext context, MaeSettings settings, MaeSizes sizes) {
        this.context = context;
        this.settings = settings;
        this.sizes = sizes;
        this.seed = context.seed();
        this.rng = new SplittableRandom(seed);
        Device device = Devices.choose(context.device());
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        this.manager = NDManager.newBaseManager(device);
        this.ps = new ParameterStore(manager, false);
        // initialisation writes parameters in place, which libtorch refuses on recorded leaves
        try (NoGradient off = NoGradient.open()) {
            model = new MaeModel(sizes);
            model.initialize(manager);
            // the reference decays neither biases nor LayerNorms
            optimizer = Adam.builder().learningRate(settings.lr()).beta1(0.9f).beta2(0.95f)
                    .decoupledWeightDecay(settings.weightDecay()).decayMatricesOnly().build(model);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    Adam optimizer() {
        return optimizer;
    }

    MaeModel model() {
        return model;
    }

    ParameterStore parameterStore() {
        return ps;
    }

    long updates() {
        return updates;
    }

    @Override
    public Map<String, Double> update() {
        checkOpen();
        Tensor frames = context.experience().sampleFrames(settings.batch(), List.of(settings.key()), rng).get(settings.key());
        Masking masking = Masking.random(settings.batch(), sizes.patches(), settings.maskRatio(), rng);
        float lr = settings.learningRateAt(updates);
        optimizer.setLearningRate(lr);
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NoGradient off = NoGradient.open(); UpdateScope u = UpdateScope.open(manager)) {
            NDManager m = u.manager();
            NDArray patches = MaeLosses.patchify(MaeLosses.toUnit(Tensors.toNDArray(m, frames)), sizes.patch());
            MaskArrays step = MaskArrays.of(m, masking);
            NDArray loss;
            NDArray predicted;
            if (settings.evalOnly()) {
                predicted = model.decode(ps, model.encode(ps, patches, step.keep(), false), step.restore(), false);
                loss = MaeLosses.reconstruction(predicted, MaeLosses.target(patches, settings.normPixLoss()), step.mask());
            } else {
                try (GradientScope tape = GradientScope.open()) {
                    predicted = model.decode(ps, model.encode(ps, patches, step.keep(), true), step.restore(), true);
                    loss = MaeLosses.reconstruction(predicted, MaeLosses.target(patches, settings.normPixLoss()), step.mask());
                    tape.backward(loss);
                }
                optimizer.step();
            }
            updates++;
            metrics.put("loss/reconstruction", (double) loss.getFloat());
            if (!settings.evalOnly()) {
                metrics.put("train/grad_norm", (double) optimizer.lastGradientNorm());
                metrics.put("train/lr", (double) lr);
            }
            if (settings.imageEvery() > 0 && updates % settings.imageEvery() == 0) {
                context.metrics().image(IMAGE_TAG, reconstructions(patches, predicted.stopGradient(), step.mask()));
            }
        }
        return metrics;
    }

    /**
     * Rows of {@code masked input | reconstruction | original} for the first frames of the batch,
     * uint8 {@code [k H, 3 W, C]}; masked patches are grey in the input.
     */
    Tensor reconstructions(NDArray patches, NDArray predicted, NDArray mask) {
        int k = (int) Math.min(settings.imageCount(), patches.getShape().get(0));
        NDArray p = patches.get(":{}", k);
        NDArray masked = mask.get(":{}", k).expandDims(2);
        NDArray visible = masked.neg().add(1f);
        NDArray pixels = MaeLosses.toPixels(predicted.get(":{}", k), p, settings.normPixLoss());
        NDArray input = p.mul(visible).add(Scalars.mul(masked, 0.5f));
        NDArray recon = p.mul(visible).add(pixels.mul(masked));
        NDArray row = NDArrays.concat(new NDList(MaeLosses.unpatchify(input, sizes), MaeLosses.unpatchify(recon, sizes),
                MaeLosses.unpatchify(p, sizes)), 2);
        NDArray image = Scalars.mul(row, 255f).round().clip(0f, 255f).toType(DataType.UINT8, false)
                .reshape((long) k * sizes.height(), 3L * sizes.width(), sizes.channels());
        return Tensors.toTensor(image);
    }

    @Override
    public void save(Path directory) throws IOException {
        checkOpen();
        BlockCheckpoint.save(model, directory, MaeCheckpoint.NETWORK, MaeCheckpoint.NETWORK_KIND);
        CheckpointFiles.write(directory.resolve(MaeCheckpoint.OPTIMIZER), os -> {
            DataOutputStream out = new DataOutputStream(os);
            optimizer.saveState(out);
            out.flush();
        });
        Map<String, String> state = new LinkedHashMap<>(sizes.toProperties());
        state.put("key", settings.key());
        state.put("normPixLoss", Boolean.toString(settings.normPixLoss()));
        state.put("maskRatio", Double.toString(settings.maskRatio()));
        state.put("updates", Long.toString(updates));
        MaeCheckpoint.writeState(directory, state);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        checkOpen();
        Map<String, String> state = MaeCheckpoint.readState(directory);
        MaeSizes saved = MaeSizes.fromProperties(state);
        if (!saved.equals(sizes)) {
            throw new IncompatibleCheckpointException("MAE checkpoint of " + saved + "; this learner is " + sizes);
        }
        try (NoGradient off = NoGradient.open()) {
            BlockCheckpoint.load(model, directory, MaeCheckpoint.NETWORK, MaeCheckpoint.NETWORK_KIND);
        }
        Path opt = directory.resolve(MaeCheckpoint.OPTIMIZER);
        if (Files.isRegularFile(opt)) {
            try (NoGradient off = NoGradient.open(); InputStream is = Files.newInputStream(opt);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
                optimizer.loadState(in);
            }
        }
        updates = Long.parseLong(state.getOrDefault("updates", "0"));
        rng = ResumedRandom.after(seed, updates);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the MAE learner is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            optimizer.close();
            manager.close();
        }
    }
}
