/**
 * The math DreamerV3 and TD-MPC2 share: symlog and symexp, two-hot codes over bins interpolated in symlog space
 * ({@link io.worldgate.runtime.math.TwoHotBins}) or in real space ({@link io.worldgate.runtime.math.SymexpBins}),
 * lambda-returns, percentile return normalisation, KL losses with free bits (DreamerV3's dyn/rep
 * split and DreamerV2's KL balancing), and HarmonyDream's harmonious loss.
 *
 * <p>Conventions: sequences are {@code [B, T, ...]} (batch first, time second), as in the api's
 * {@code SequenceBatch}. Functions return new arrays attached to the manager of their first
 * argument, so calling them inside an update scope keeps every intermediate there.
 */
@Export
@Version("1.3.0")
package io.worldgate.runtime.math;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
