package io.worldgate.gateway.bridge.internal;

import java.util.SplittableRandom;

/**
 * A point on a line pushed by a continuous force in [-1, 1] towards the origin. Reward is
 * {@code 1 - min(|x|, 1)} per step, so a good controller earns close to 1 per step and a random
 * one much less. State: x, x'. Never terminates; the vectorizer truncates episodes.
 */
final class PointMass implements SingleEnv {
    private static final double DT = 0.1;
    private static final double DAMPING = 0.1;

    private double x;
    private double v;

    @Override
    public void reset(SplittableRandom rng, float[] obs) {
        x = rng.nextDouble(-1, 1);
        v = 0;
        write(obs);
    }

    @Override
    public float step(float[] action, float[] obs) {
        double force = Math.max(-1, Math.min(1, action[0]));
        v += DT * (force - DAMPING * v);
        x = Math.max(-2, Math.min(2, x + DT * v));
        write(obs);
        return (float) (1 - Math.min(Math.abs(x), 1));
    }

    @Override
    public boolean terminated() {
        return false;
    }

    private void write(float[] obs) {
        obs[0] = (float) x;
        obs[1] = (float) v;
    }
}
