package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.runtime.tensor.Scalars;

/**
 * Making and scoring candidate action sequences for a sampling planner, batched over {@code N}
 * environments and {@code S} candidates as one program over {@code N * S} rows. Sequences are
 * {@code [H, N, S, A]}; latents {@code [N, Z]}; rows are environment-major ({@code n * S + s}).
 */
final class Candidates {

    private Candidates() {}

    /** Each row of {@code x [N, D]} {@code times} times in a row: {@code [N * times, D]}. */
    static NDArray repeatRows(NDArray x, int times) {
        long n = x.getShape().get(0);
        long d = x.getShape().get(1);
        return x.expandDims(1).broadcast(new Shape(n, times, d)).reshape(n * times, d);
    }

    /**
     * The mean a search starts from, {@code [H, N, A]}: the previous plan's mean shifted one step
     * earlier, its last step zero (as TD-MPC2 does), and zero for every {@code fresh} environment
     * or when there is no previous plan.
     */
    static NDArray startMean(NDManager m, Plan previous, boolean[] fresh, int horizon, int n, int actions) {
        Shape shape = new Shape(horizon, n, actions);
        if (previous == null) {
            return m.zeros(shape, DataType.FLOAT32);
        }
        NDArray before = previous.mean();
        if (!before.getShape().equals(shape)) {
            throw new IllegalArgumentException("previous plan's mean is " + before.getShape() + ", expected " + shape + " ([H, N, A])");
        }
        NDArray tail = m.zeros(new Shape(1, n, actions), DataType.FLOAT32);
        NDArray shifted = horizon == 1 ? tail : before.get("1:").toType(DataType.FLOAT32, false).concat(tail, 0);
        if (fresh == null) {
            return shifted;
        }
        float[] keep = new float[n];
        for (int i = 0; i < n; i++) {
            keep[i] = fresh[i] ? 0f : 1f;
        }
        return shifted.mul(m.create(keep, new Shape(1, n, 1)));
    }

    /**
     * {@code count} sequences per environment rolled out with the prior from {@code z [N, Z]}:
     * {@code [H, N, count, A]}. The prior acts on the latent its previous action led to.
     */
    static NDArray fromPrior(LatentModel model, ActionPrior prior, NDArray z, int count, int horizon) {
        long n = z.getShape().get(0);
        NDArray zt = repeatRows(z, count);
        NDList steps = new NDList(horizon);
        for (int t = 0; t < horizon; t++) {
            NDArray a = prior.sample(zt).toType(DataType.FLOAT32, false).clip(-1, 1);
            steps.add(a);
            if (t < horizon - 1) {
                zt = model.next(zt, a);
            }
        }
        NDArray stacked = NDArrays.stack(steps, 0);
        return stacked.reshape(horizon, n, count, stacked.getShape().get(2));
    }

    /** {@code count} sequences per environment drawn from {@code N(mean, std)} and clamped to {@code [-1, 1]}. */
    static NDArray sample(NDArray mean, NDArray std, int count) {
        Shape s = mean.getShape();
        NDArray noise = mean.getManager().randomNormal(0f, 1f, new Shape(s.get(0), s.get(1), count, s.get(2)), DataType.FLOAT32);
        return noise.mul(std.expandDims(2)).add(mean.expandDims(2)).clip(-1, 1);
    }

    /**
     * The discounted return of each sequence from its environment's latent,
     * {@code sum_t gamma^t r_t + gamma^H V(z_H)}: {@code [N, S]}. NaN counts as 0, as in TD-MPC2,
     * so one diverging rollout cannot poison the ranking.
     */
    static NDArray returns(LatentModel model, NDArray z, NDArray sequences) {
        Shape s = sequences.getShape();
        long h = s.get(0);
        long n = s.get(1);
        long count = s.get(2);
        NDArray rows = sequences.reshape(h, n * count, s.get(3));
        double gamma = model.discount();
        double weight = 1.0;
        NDArray total = null;
        NDArray zt = null;
        for (int t = 0; t < h; t++) {
            NDArray a = rows.get(t);
            NDArray reward;
            if (t == 0) {
                // every candidate of an environment starts from its one latent
                LatentModel.Step first = model.fromEach(z, (int) count, a);
                reward = first.reward();
                zt = first.next();
            } else {
                reward = model.reward(zt, a);
                zt = model.next(zt, a);
            }
            NDArray r = Scalars.mul(reward.reshape(n * count), (float) weight);
            total = total == null ? r : total.add(r);
            weight *= gamma;
        }
        total = total.add(Scalars.mul(model.terminalValue(zt).reshape(n * count), (float) weight));
        total = NDArrays.where(total.isNaN(), total.zerosLike(), total);
        return total.reshape(n, count);
    }

    /** The {@code k} best of {@code values [N, S]} and their sequences: {@code [N, k]} and {@code [H, N, k, A]}. */
    static NDList elites(NDArray values, NDArray sequences, int k) {
        Shape s = sequences.getShape();
        NDArray index = values.argSort(1, false).get(":, :" + k);
        NDArray eliteValues = values.gather(index, 1);
        NDArray eliteSequences = sequences.gather(index.reshape(1, s.get(1), k, 1).broadcast(new Shape(s.get(0), s.get(1), k, s.get(3))), 2);
        return new NDList(eliteValues, eliteSequences);
    }
}
