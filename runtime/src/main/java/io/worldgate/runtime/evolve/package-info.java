/**
 * Derivative-free optimisation by evolution: {@link io.worldgate.runtime.evolve.CmaEs}, the
 * (mu/mu_w, lambda)-CMA-ES with active covariance update, in ask/tell form, so that the caller
 * evaluates a whole population however it likes (in parallel, on workers, inside a learned
 * model's dream) and hands the fitness back. Pure Java, no tensors: World Models' controller has
 * under a thousand parameters.
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime.evolve;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
