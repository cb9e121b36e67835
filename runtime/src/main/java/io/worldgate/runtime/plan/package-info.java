/**
 * Planning in a learnt latent space at act time: {@link io.worldgate.runtime.plan.Planner}s
 * search over action sequences rolled through a {@link io.worldgate.runtime.plan.LatentModel},
 * optionally seeded by an {@link io.worldgate.runtime.plan.ActionPrior}. Actions live in
 * {@code [-1, 1]}; an agent maps them onto its action space's bounds.
 *
 * <p>Two planners: {@link io.worldgate.runtime.plan.Mppi} (TD-MPC2's MPPI, settings in
 * {@link io.worldgate.runtime.plan.MppiSettings}) and {@link io.worldgate.runtime.plan.Cem}
 * (PlaNet's cross-entropy method, settings in {@link io.worldgate.runtime.plan.CemSettings}). Each
 * is made for an action size and is stateless: the {@link io.worldgate.runtime.plan.Plan} it
 * returns carries the search distribution, and the caller hands it back on the next step to
 * warm-start the search (shifted by one step), flagging environments whose episode just began.
 * Both search all {@code N} environments of a call at once, without recording gradients, drawing
 * from the engine's generator ({@code Engine.setRandomSeed}); the model's results must stay on the
 * inputs' manager, and everything but the returned plan is freed before {@code plan} returns.
 */
@Export
@Version("1.1.0")
package io.worldgate.runtime.plan;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
