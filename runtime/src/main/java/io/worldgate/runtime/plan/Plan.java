package io.worldgate.runtime.plan;

import ai.djl.ndarray.NDArray;

/**
 * A planner's answer for {@code N} latents: the action to take now, and the search distribution it
 * ended with, which warm-starts the next call.
 *
 * @param action {@code [N, A]} in {@code [-1, 1]}: the first action of the plan (sampled around
 *     the mean when exploring)
 * @param mean {@code [H, N, A]}: the mean of the final search distribution over the horizon
 * @param std {@code [H, N, A]}: its standard deviation
 */
public record Plan(NDArray action, NDArray mean, NDArray std) {}
