package io.worldgate.plugin.worldmodels;

import io.worldgate.api.env.Policy;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.space.Space;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The collecting policy of the first round: uniformly random actions, each held for a
 * geometric number of steps of mean {@code random_hold} per environment (1: a new one every
 * step), drawn afresh where an episode begins.
 */
final class RandomPolicy implements Policy {
    private final Space actionSpace;
    private final double hold;
    private final SplittableRandom draws;
    private Tensor held;

    RandomPolicy(Space actionSpace, double hold, SplittableRandom draws) {
        this.actionSpace = actionSpace;
        this.hold = hold;
        this.draws = draws;
    }

    @Override
    public Tensor act(StepBatch observations) {
        int n = observations.size();
        Tensor fresh = actions(actionSpace, n, draws);
        if (held == null || held.shape()[0] != n) {
            held = fresh;
            return fresh;
        }
        long per = fresh.numElements() / n;
        for (int i = 0; i < n; i++) {
            boolean redraw = observations.isFirst()[i] || draws.nextDouble() * hold < 1;
            if (redraw) {
                for (long j = 0; j < per; j++) {
                    long k = i * per + j;
                    if (fresh.dtype() == DType.INT32) {
                        held.setInt(k, fresh.getInt(k));
                    } else {
                        held.setFloat(k, fresh.getFloat(k));
                    }
                }
            }
        }
        return held.copy();
    }

    /** {@code n} uniformly random actions of a discrete or box space. */
    static Tensor actions(Space actionSpace, int n, SplittableRandom r) {
        if (actionSpace instanceof DiscreteSpace d) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = r.nextInt(d.n());
            }
            return Tensor.ofInts(a, n);
        }
        BoxSpace box = (BoxSpace) actionSpace;
        int per = box.numElements();
        Tensor out = Tensor.allocate(DType.FLOAT32, box.tensorSpec().batchShape(n));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                out.setFloat((long) i * per + j, (float) (box.low(j) + r.nextDouble() * (box.high(j) - box.low(j))));
            }
        }
        return out;
    }
}
