package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;

/** Argument checks shared by the planners. */
final class Checks {

    private Checks() {}

    /** The number of environments in {@code latents [N, Z]}, checked against {@code fresh}. */
    static int rows(NDArray latents, boolean[] fresh) {
        if (latents.getShape().dimension() != 2) {
            throw new IllegalArgumentException("latents must be [N, Z], got " + latents.getShape());
        }
        int n = (int) latents.getShape().get(0);
        if (fresh != null && fresh.length != n) {
            throw new IllegalArgumentException("fresh has " + fresh.length + " entries for " + n + " latents");
        }
        return n;
    }

    /** {@code actionSize}, which a planner's constructor takes: at least 1. */
    static int actionSize(int actionSize) {
        if (actionSize < 1) {
            throw new IllegalArgumentException("actionSize must be >= 1: " + actionSize);
        }
        return actionSize;
    }
}
