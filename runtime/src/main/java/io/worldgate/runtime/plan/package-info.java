/**
 * Planning in a learnt latent space at act time: {@link io.worldgate.runtime.plan.Planner}s
 * (MPPI as in TD-MPC2, CEM as in PlaNet) search over action sequences rolled through a
 * {@link io.worldgate.runtime.plan.LatentModel}, optionally seeded by an
 * {@link io.worldgate.runtime.plan.ActionPrior}. Actions live in {@code [-1, 1]}; an agent maps them
 * onto its action space's bounds.
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime.plan;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
