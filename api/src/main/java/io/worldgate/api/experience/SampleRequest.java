package io.worldgate.api.experience;

import java.util.Objects;

/**
 * What {@link Experience#sampleSequences(SampleRequest, java.util.random.RandomGenerator)} draws.
 *
 * @param batchSize sequences drawn, at least 1
 * @param length steps per sequence, at least 1
 * @param slicing how sequences treat episode boundaries
 * @param selector how the start steps are weighed
 */
public record SampleRequest(int batchSize, int length, Slicing slicing, Selector selector) {
    public SampleRequest {
        if (batchSize < 1 || length < 1) {
            throw new IllegalArgumentException("batch size and length must be at least 1, got " + batchSize + " and " + length);
        }
        Objects.requireNonNull(slicing, "slicing");
        Objects.requireNonNull(selector, "selector");
    }

    /** Uniformly drawn sequences that may cross episode boundaries (the v1 behaviour). */
    public static SampleRequest of(int batchSize, int length) {
        return new SampleRequest(batchSize, length, Slicing.CROSS_EPISODES, Selector.uniform());
    }

    public SampleRequest withSlicing(Slicing s) {
        return new SampleRequest(batchSize, length, s, selector);
    }

    public SampleRequest withSelector(Selector s) {
        return new SampleRequest(batchSize, length, slicing, s);
    }
}
