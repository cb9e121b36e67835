package io.worldgate.gateway.bridge.internal;

import java.awt.Graphics2D;
import java.util.SplittableRandom;

/** One environment written in Java with a flat float32 {@code state} observation. */
interface SingleEnv {

    /** Starts an episode and writes the first observation into {@code obs}. */
    void reset(SplittableRandom rng, float[] obs);

    /**
     * Applies {@code action} (a discrete index in {@code action[0]}, or a continuous vector),
     * writes the next observation into {@code obs} and returns the reward.
     */
    float step(float[] action, float[] obs);

    /** Whether the last step reached a terminal state. */
    boolean terminated();

    /**
     * Draws the current state on a white {@code width x height} canvas; returns false when this
     * environment has no picture.
     */
    default boolean draw(Graphics2D g, int width, int height) {
        return false;
    }
}
