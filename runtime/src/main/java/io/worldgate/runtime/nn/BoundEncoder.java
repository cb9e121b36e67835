package io.worldgate.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.runtime.optim.Adam;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import io.worldgate.runtime.optim.Parameters;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An {@link ImageEncoder} service as one agent uses it, in one {@link EncoderMode}; what Dreamer
 * and TD-MPC2 share for {@code encoder=NAME}.
 *
 * <ul>
 *   <li>{@code frozen}: {@link #features} are the service's, without gradient; nothing of the
 *       encoder trains or is checkpointed by the agent. Each distinct frame is encoded once and its
 *       features kept ({@code encoder_cache_frames}, {@link FrozenFeatureCache}).
 *   <li>{@code finetune}: an agent-owned {@link ImageEncoder#trainableCopy copy}; its features carry
 *       gradients into the encoder's parameters, which {@link #update} steps with an Adam of their
 *       own ({@code encoder_lr}) right after the agent's step: the agent's loss trains them.
 *   <li>{@code online} (Masked World Models): an agent-owned copy whose features the agent reads
 *       detached; {@link #update} draws {@code encoder_batch} frames of the agent's batch and takes
 *       one AdamW step (the MAE's β = 0.9, 0.95, weight decay 0.05 on all but vectors, i.e. biases
 *       and LayerNorms) on the encoder's own
 *       self-supervised loss, in a gradient scope of its own. With {@code encoder_warmup} N the
 *       agent first takes N such updates alone ({@link #warmUp}), on batches of its experience,
 *       before its own first update: Masked World Models pre-trains its MAE so on the prefill, rather
 *       than start the world model on the features of a random encoder.
 * </ul>
 *
 * <p>In every mode the agent reads the kind of features {@code encoder_features} names
 * ({@link EncoderFeatures}: the mean vector, the class token or every patch token), so its layer on
 * top is {@link #featureSize()} wide.
 *
 * <p>The agent adds {@link #network()} (null when frozen) to the networks it checkpoints and writes
 * {@link #saveState} beside its optimizers, so a fine-tuned or online encoder resumes as it was.
 */
public final class BoundEncoder implements AutoCloseable {
    private static final float ONLINE_BETA2 = 0.95f;
    private static final float ONLINE_WEIGHT_DECAY = 0.05f;

    private final ImageEncoder service;
    private final EncoderSettings settings;
    private final TrainableImageEncoder copy;
    private final Adam optimizer;
    private final FrozenFeatureCache cache;
    private long warmupUpdates;

    private BoundEncoder(ImageEncoder service, EncoderSettings settings, TrainableImageEncoder copy, Adam optimizer) {
        this.service = service;
        this.settings = settings;
        this.copy = copy;
        this.optimizer = optimizer;
        this.cache = settings.mode() == EncoderMode.FROZEN && settings.cacheFrames() > 0
                ? new FrozenFeatureCache(settings.cacheFrames()) : null;
    }

    /**
     * Binds {@code service} in the mode of {@code settings}; a copy's parameters are made in
     * {@code manager} (the agent's).
     *
     * @throws AgentException if the service can only be used frozen and another mode is asked for,
     *     does not give the {@code encoder_features} asked for, or a warm-up is asked for outside
     *     the online mode
     */
    public static BoundEncoder bind(ImageEncoder service, EncoderSettings settings, NDManager manager) {
        try {
            service.featureSize(settings.features());
        } catch (UnsupportedOperationException e) {
            throw new AgentException(e.getMessage());
        }
        if (settings.warmup() > 0 && settings.mode() != EncoderMode.ONLINE) {
            throw new AgentException("encoder_warmup trains the encoder alone on its own loss: it needs encoder_mode="
                    + EncoderMode.ONLINE.key() + ", not " + settings.mode().key());
        }
        if (settings.mode() == EncoderMode.FROZEN) {
            return new BoundEncoder(service, settings, null, null);
        }
        TrainableImageEncoder copy;
        try (NoGradient off = NoGradient.open()) {
            copy = service.trainableCopy(manager);
        } catch (UnsupportedOperationException e) {
            throw new AgentException(e.getMessage());
        }
        List<Parameter> trained = settings.mode() == EncoderMode.FINETUNE ? copy.encoderParameters()
                : Parameters.trainable(copy.network());
        Adam.Builder b = Adam.builder().learningRate(settings.lr());
        if (settings.mode() == EncoderMode.ONLINE) {
            b.beta2(ONLINE_BETA2).decoupledWeightDecay(ONLINE_WEIGHT_DECAY).decayMatricesOnly();
        }
        return new BoundEncoder(service, settings, copy, b.build(trained));
    }

    /**
     * Checks that {@code service} takes the environment's {@code height x width} images.
     *
     * @throws AgentException if it takes another size
     */
    public static void requireImageSize(ImageEncoder service, int height, int width, String envId) {
        int[] size = service.imageSize();
        if (size[0] != height || size[1] != width) {
            throw new AgentException("encoder '" + service.name() + "' expects " + size[0] + "x" + size[1] + " images, "
                    + envId + " gives " + height + "x" + width);
        }
    }

    /**
     * Checks that {@code service} can take the environment's {@code height x width x channels}
     * images: its size, and RGB (services take C = 3; a stack of frames is refused here rather than
     * at the first encode).
     *
     * @throws AgentException if it cannot
     */
    public static void requireImageShape(ImageEncoder service, int height, int width, int channels, String envId) {
        if (channels != 3) {
            throw new AgentException("encoder '" + service.name() + "' takes RGB images (3 channels), " + envId + " gives "
                    + channels + " (stacked frames?); the built-in encoder takes any number");
        }
        requireImageSize(service, height, width, envId);
    }

    public EncoderMode mode() {
        return settings.mode();
    }

    /** Features per image the agent reads: the service's of the kind {@code encoder_features}. */
    public long featureSize() {
        return service.featureSize(settings.features());
    }

    /** The agent-owned copy's parameters, to checkpoint with the agent's networks; null when frozen. */
    public Block network() {
        return copy == null ? null : copy.network();
    }

    /**
     * Features {@code [..., F]} ({@link #featureSize()}, of the kind {@code encoder_features}) of
     * uint8 images {@code [..., H, W, C]}: with gradient into the encoder only in {@code finetune}
     * mode (inside the agent's gradient scope).
     */
    public NDArray features(ParameterStore ps, NDArray images) {
        switch (settings.mode()) {
            case FROZEN:
                return cache == null ? service.encode(images, settings.features())
                        : cache.features(service, settings.features(), images);
            case FINETUNE:
                return copy.features(ps, images, settings.features());
            default:
                try (NoGradient off = NoGradient.open()) {
                    return copy.features(ps, images, settings.features()).stopGradient();
                }
        }
    }

    /**
     * The encoder's share of one agent update, after the agent's own optimizer step and outside
     * its gradient scope, on every frame of {@code images} ({@link #update(ParameterStore, NDArray,
     * NDArray, SplittableRandom)} without a mask).
     */
    public Map<String, Double> update(ParameterStore ps, NDArray images, SplittableRandom rng) {
        return update(ps, images, null, rng);
    }

    /**
     * The encoder's share of one agent update, after the agent's own optimizer step and outside
     * its gradient scope: {@code finetune} steps the encoder's optimizer on the gradients the
     * agent's loss left; {@code online} trains on frames of {@code images [..., H, W, C]} (the
     * agent's batch) where {@code valid [...]} is not 0 (null: all; padding of short sequences is
     * black and would teach the encoder nothing real); {@code frozen} does nothing.
     *
     * @return metrics: {@code encoder/grad_norm}, and {@code encoder/loss} online
     */
    public Map<String, Double> update(ParameterStore ps, NDArray images, NDArray valid, SplittableRandom rng) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (settings.mode() == EncoderMode.FROZEN) {
            return metrics;
        }
        if (settings.mode() == EncoderMode.ONLINE && !onlineLoss(ps, images, valid, rng, metrics)) {
            return metrics; // nothing but padding in this batch
        }
        optimizer.step();
        metrics.put("encoder/grad_norm", (double) optimizer.lastGradientNorm());
        return metrics;
    }

    /**
     * Records the online loss on frames of {@code images} where {@code valid} is not 0 and its
     * gradients; false (nothing recorded) when no frame is valid.
     */
    private boolean onlineLoss(ParameterStore ps, NDArray images, NDArray valid, SplittableRandom rng,
            Map<String, Double> metrics) {
        NDArray frames = sampleFrames(images, valid, settings.batch(), rng);
        if (frames == null) {
            return false;
        }
        NDArray loss;
        try (GradientScope tape = GradientScope.open()) {
            loss = copy.selfSupervisedLoss(ps, frames, rng);
            tape.backward(loss);
        }
        metrics.put("encoder/loss", (double) loss.getFloat());
        return true;
    }

    /** Whether warm-up updates are still owed ({@code encoder_warmup}, online only): call {@link #warmUp} first. */
    public boolean warmingUp() {
        return warmupUpdates < settings.warmup();
    }

    /** Warm-up updates taken so far by this binding. */
    public long warmupUpdates() {
        return warmupUpdates;
    }

    /**
     * One warm-up update, before the agent's first: the online update of {@link #update} on frames
     * of {@code images [..., H, W, C]} (a batch the agent drew from its experience, outside its own
     * gradient scope) where {@code valid [...]} is not 0 (null: all). Each call counts, so that the
     * warm-up ends: one on padding alone takes no step, one whose gradient is not finite is skipped
     * by the optimizer.
     *
     * @return metrics: {@code encoder/loss}, {@code encoder/grad_norm} and
     *     {@code encoder/warmup_updates} (the count so far)
     * @throws IllegalStateException if no warm-up is owed
     */
    public Map<String, Double> warmUp(ParameterStore ps, NDArray images, NDArray valid, SplittableRandom rng) {
        if (!warmingUp()) {
            throw new IllegalStateException("no encoder warm-up owed (" + warmupUpdates + " of " + settings.warmup()
                    + " taken)");
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        warmupUpdates++;
        if (onlineLoss(ps, images, valid, rng, metrics)) {
            optimizer.step();
            metrics.put("encoder/grad_norm", (double) optimizer.lastGradientNorm());
        }
        metrics.put("encoder/warmup_updates", (double) warmupUpdates);
        return metrics;
    }

    /**
     * Up to {@code batch} distinct frames of {@code images [..., H, W, C]} where {@code valid [...]}
     * is not 0 (null: all), drawn by {@code rng}; null when no frame is valid.
     */
    static NDArray sampleFrames(NDArray images, NDArray valid, int batch, SplittableRandom rng) {
        Shape s = images.getShape();
        int d = s.dimension();
        NDArray frames = images.reshape(new Shape(-1).addAll(s.slice(d - 3)));
        int n = (int) frames.getShape().get(0);
        int[] order;
        if (valid == null) {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
        } else {
            float[] v = valid.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            if (v.length != n) {
                throw new IllegalArgumentException("valid has " + v.length + " entries for " + n + " frames");
            }
            order = java.util.stream.IntStream.range(0, n).filter(i -> v[i] != 0f).toArray();
        }
        if (order.length == 0) {
            return null;
        }
        if (order.length == n && n <= batch) {
            return frames;
        }
        int k = Math.min(batch, order.length);
        long[] picked = new long[k];
        for (int i = 0; i < k; i++) { // a partial Fisher-Yates shuffle
            int j = i + rng.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            picked[i] = order[i];
        }
        NDArray index = frames.getManager().create(picked);
        return frames.get(index);
    }

    /** The frozen mode's feature cache; null in the other modes or when it is off. */
    FrozenFeatureCache cache() {
        return cache;
    }

    /** Writes the copy's optimizer state (nothing when frozen). */
    public void saveState(DataOutputStream out) throws IOException {
        if (optimizer != null) {
            optimizer.saveState(out);
        }
    }

    /** Reads what {@link #saveState} wrote. */
    public void loadState(DataInputStream in) throws IOException, IncompatibleCheckpointException {
        if (optimizer != null) {
            optimizer.loadState(in);
        }
    }

    @Override
    public void close() {
        if (optimizer != null) {
            optimizer.close();
        }
    }
}
