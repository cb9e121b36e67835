/**
 * Distributions as plain classes over NDArrays, for world-model heads and policies:
 * {@link io.worldgate.runtime.dist.OneHotCategorical} (unimix, straight-through samples drawn
 * by inverse CDF, one-hots without gradient for acting),
 * {@link io.worldgate.runtime.dist.Independent} (for Dreamer's 32x32 categorical latents and for
 * multi-dimensional actions), {@link io.worldgate.runtime.dist.Normal},
 * {@link io.worldgate.runtime.dist.TanhNormal}, {@link io.worldgate.runtime.dist.Bernoulli}
 * (continue predictor), {@link io.worldgate.runtime.dist.SymlogMse} and
 * {@link io.worldgate.runtime.dist.SymexpTwoHot} (reward and value heads).
 *
 * <p>A distribution holds the arrays it was built from and computes lazily; results are attached
 * to the manager of its parameters, so build distributions inside the update scope. Random
 * numbers come from the engine's generator ({@code Engine.getInstance().setRandomSeed}).
 */
@Export
@Version("1.3.1")
package io.worldgate.runtime.dist;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
