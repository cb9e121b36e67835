/**
 * Optimisation: {@link io.worldgate.runtime.optim.Adam} (Adam and AdamW with DreamerV3's epsilon
 * and global-norm clipping), {@link io.worldgate.runtime.optim.GradientClipping},
 * {@link io.worldgate.runtime.optim.EmaTarget} (slow critic, TD-MPC2's target Q networks) and
 * {@link io.worldgate.runtime.optim.GradientScope} (recording a backward pass) and
 * {@link io.worldgate.runtime.optim.NoGradient} (not recording: acting, imagined rollouts).
 *
 * <p>A training step: forward and {@code backward} inside a {@code GradientScope}, then, after the
 * scope is closed, {@code optimizer.step()}, then {@code target.update()}. Parameters are updated
 * in place, so blocks, parameter stores and checkpoints keep seeing the same parameters.
 */
@Export
@Version("1.2.0")
package io.worldgate.runtime.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
