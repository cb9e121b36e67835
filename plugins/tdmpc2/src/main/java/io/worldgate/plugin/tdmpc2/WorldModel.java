package io.worldgate.plugin.tdmpc2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.worldgate.runtime.math.Symlog;
import io.worldgate.runtime.math.TwoHotBins;
import io.worldgate.runtime.nn.BlockGroup;
import io.worldgate.runtime.nn.BoundEncoder;
import io.worldgate.runtime.nn.EnsembleMlp;
import io.worldgate.runtime.nn.Initializers;
import io.worldgate.runtime.nn.Products;
import io.worldgate.runtime.optim.Parameters;
import io.worldgate.runtime.plan.LatentModel;
import io.worldgate.runtime.space.Spaces;
import java.util.List;
import java.util.SplittableRandom;

/**
 * TD-MPC2's implicit world model (no decoder): an encoder {@code z = h(o)}, latent dynamics
 * {@code z' = d(z, a)} (both ending in SimNorm), a reward head {@code R(z, a)}, an ensemble of Q
 * heads {@code Q_q(z, a)} with their EMA targets, and the policy prior {@code π(z)}. Reward and Q
 * heads output logits over two-hot bins. The Q heads are one {@link EnsembleMlp} (stacked weights,
 * computed together), and so are their targets. Every network but the encoder is an MLP of two hidden
 * layers of {@code mlp_dim} ({@link Networks}); linear weights start from N(0, 0.02²) and biases
 * at zero, and the output layers of the reward and Q heads at zero (as the authors' code).
 *
 * <p>{@code training} selects dropout in the Q heads and the image encoder's random shifts; the
 * target heads never drop out.
 */
final class WorldModel extends BlockGroup {
    private final TdMpc2Config config;
    private final Spaces spaces;
    private final boolean image;
    private final Block encoder;
    private final SequentialBlock dynamics;
    private final SequentialBlock reward;
    private final SequentialBlock pi;
    private final EnsembleMlp q;
    private final EnsembleMlp targetQ;
    private final TwoHotBins bins;
    private NDArray centers;

    /**
     * @param service another plugin's image encoder in its mode, or null for the built-in one
     */
    WorldModel(TdMpc2Config config, Spaces spaces, boolean image, BoundEncoder service) {
        this.config = config;
        this.spaces = spaces;
        this.image = image;
        this.bins = new TwoHotBins(config.bins(), TdMpc2Config.VMIN, TdMpc2Config.VMAX);
        int mlp = config.mlpDim();
        encoder = add("encoder", image && service != null
                ? new ServiceImageEncoder(service, config.latentDim(), config.simnormDim())
                : image ? new ImageEncoder(config.channels(), config.latentDim(), config.simnormDim())
                : Networks.mlp(config.encDim(), Math.max(config.encLayers() - 1, 1), config.latentDim(), 0,
                        config.simnormDim()));
        dynamics = add("dynamics", Networks.mlp(mlp, 2, config.latentDim(), 0, config.simnormDim()));
        reward = add("reward", Networks.mlp(mlp, 2, config.bins(), 0, 0));
        pi = add("pi", Networks.mlp(mlp, 2, 2 * spaces.actionSize(), 0, 0));
        q = add("q", Networks.ensemble(config.numQ(), mlp, 2, config.bins(), config.dropout()));
        targetQ = add("target_q", Networks.ensemble(config.numQ(), mlp, 2, config.bins(), config.dropout()));
    }

    /** Creates the parameters: TD-MPC2's initialisation, target heads equal to the online ones. */
    void initialize(NDManager manager, SplittableRandom shiftRng) {
        setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        int z = config.latentDim();
        int a = spaces.actionSize();
        if (encoder instanceof ServiceImageEncoder) {
            encoder.initialize(manager, DataType.FLOAT32,
                    new Shape(1, spaces.imageHeight(), spaces.imageWidth(), spaces.imageChannels()));
        } else if (image) {
            // PyTorch's default for convolutions (TD-MPC2 re-initialises linear layers only)
            for (Block conv : ((ImageEncoder) encoder).layers()) {
                conv.setInitializer(Initializers.glorotNormal(), Parameter.Type.WEIGHT);
            }
            ((ImageEncoder) encoder).shiftRandomness(shiftRng);
            encoder.initialize(manager, DataType.FLOAT32,
                    new Shape(1, spaces.imageHeight(), spaces.imageWidth(), spaces.imageChannels()));
        } else {
            encoder.initialize(manager, DataType.FLOAT32, new Shape(1, spaces.stateSize()));
        }
        Shape za = new Shape(1, z + a);
        dynamics.initialize(manager, DataType.FLOAT32, za);
        reward.initialize(manager, DataType.FLOAT32, za);
        pi.initialize(manager, DataType.FLOAT32, new Shape(1, z));
        centers = bins.centers(manager);
        q.initialize(manager, DataType.FLOAT32, za);
        targetQ.initialize(manager, DataType.FLOAT32, za);
        Initializers.zero(Initializers.last(reward));
        q.zeroOutput();
    }

    TwoHotBins bins() {
        return bins;
    }

    Block encoderBlock() {
        return encoder;
    }

    /** Every parameter the model loss trains but the encoder's: dynamics, reward and Q heads. */
    List<Parameter> nonEncoderParameters() {
        return Parameters.trainable(dynamics, reward, q);
    }

    List<Parameter> qParameters() {
        return Parameters.trainable(q);
    }

    Block piBlock() {
        return pi;
    }

    /** The online Q heads, one ensemble. */
    EnsembleMlp qEnsemble() {
        return q;
    }

    /** The EMA target Q heads, one ensemble of the same shape. */
    EnsembleMlp targetEnsemble() {
        return targetQ;
    }

    /** The latent {@code z [.., Z]} of observations {@code [.., ...]} (the configured key). */
    NDArray encode(ParameterStore ps, java.util.Map<String, NDArray> obs, boolean training) {
        NDArray x = image ? obs.get(Spaces.IMAGE) : spaces.stateVector(obs.get(Spaces.STATE));
        return encoder.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** {@code d(z, a)}: the next latent. */
    NDArray next(ParameterStore ps, NDArray z, NDArray a, boolean training) {
        return dynamics.forward(ps, new NDList(z.concat(a, -1)), training).singletonOrThrow();
    }

    /**
     * {@code d(z, a)} and the expected reward for {@code count} actions per latent, {@code z [N, Z]}
     * and {@code a [N * count, A]} (rows of latent {@code n} together), without repeating the
     * latents: the first layers of the dynamics and the reward head are linear in {@code (z, a)},
     * so {@code W [z; a] + b = (W_z z + b) + W_a a} with {@code W_z z + b} computed once per
     * latent. Planning starts all its candidates from one latent per environment; at the 5M size
     * this removes about a tenth of a plan's multiplications.
     */
    LatentModel.Step fromEach(ParameterStore ps, NDArray z, int count, NDArray a) {
        return new LatentModel.Step(fromEach(ps, dynamics, z, count, a),
                decode(fromEach(ps, reward, z, count, a)));
    }

    private static NDArray fromEach(ParameterStore ps, SequentialBlock mlp, NDArray z, int count, NDArray a) {
        Block first = mlp.getChildren().valueAt(0);
        NDArray w = ps.getValue(first.getParameters().get("weight"), z.getDevice(), false);
        NDArray b = ps.getValue(first.getParameters().get("bias"), z.getDevice(), false);
        long latent = z.getShape().get(1);
        long n = z.getShape().get(0);
        long hidden = w.getShape().get(0);
        // slices of a parameter attach to its manager: move them to this call's
        NDArray wz = w.get(":, :{}", latent);
        NDArray wa = w.get(":, {}:", latent);
        wz.attach(z.getManager());
        wa.attach(z.getManager());
        // the first hidden layer (Networks.mlp): its result may stay bfloat16
        NDArray fromZ = Products.hiddenLinear(z, wz, b);
        NDArray fromA = Products.hiddenLinear(a, wa, null);
        NDList h = new NDList(fromA.reshape(n, count, hidden).add(fromZ.expandDims(1)).reshape(n * count, hidden));
        var rest = mlp.getChildren();
        for (int i = 1; i < rest.size(); i++) {
            h = rest.valueAt(i).forward(ps, h, false);
        }
        return h.singletonOrThrow();
    }

    /** Reward logits {@code [.., n]}. */
    NDArray rewardLogits(ParameterStore ps, NDArray z, NDArray a, boolean training) {
        return reward.forward(ps, new NDList(z.concat(a, -1)), training).singletonOrThrow();
    }

    /** The expected reward {@code [..]}. */
    NDArray reward(ParameterStore ps, NDArray z, NDArray a) {
        return decode(rewardLogits(ps, z, a, false));
    }

    /** Logits of every online ({@code target = false}) or target Q head: {@code [Q, .., n]}. */
    NDArray qLogits(ParameterStore ps, NDArray z, NDArray a, boolean training, boolean target) {
        return (target ? targetQ : q).forward(ps, z.concat(a, -1), training && !target);
    }

    /** The values of heads {@code draw} only, {@code [draw.length, ..]}, online or target. */
    NDArray qValues(ParameterStore ps, NDArray z, NDArray a, int[] draw, boolean training, boolean target) {
        NDArray logits = (target ? targetQ : q).forward(ps, z.concat(a, -1), draw, training && !target);
        return decode(logits);
    }

    /**
     * What two-hot logits {@code [.., n]} stand for, {@code symexp(softmax(logits) · centres)}, as
     * {@code bins.decode} computes it, with the centres made once on the model's device rather
     * than copied from the host at every call (four times per planner iteration).
     */
    private NDArray decode(NDArray logits) {
        return Symlog.symexp(logits.softmax(-1).matMul(centers));
    }

    /** A sample of the policy prior at latents {@code z [.., Z]}. */
    PolicyPrior.Sample pi(ParameterStore ps, NDArray z) {
        NDArray out = pi.forward(ps, new NDList(z), false).singletonOrThrow();
        Shape lead = out.getShape().slice(0, out.getShape().dimension() - 1);
        NDArray eps = out.getManager().randomNormal(lead.add(spaces.actionSize()));
        return PolicyPrior.sample(out, eps, config.logStdMin(), config.logStdMax());
    }
}
