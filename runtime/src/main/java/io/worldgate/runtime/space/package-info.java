/**
 * What an agent models of an environment's spaces: {@link io.worldgate.runtime.space.Spaces}
 * chooses the observations (the conventional {@code image} and {@code state} keys of the api's
 * {@code DictSpace}), checks the action space (discrete or a float box) and converts actions
 * between the host's tensors and the model's NDArrays (one-hot vectors; values in [-1, 1]).
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime.space;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
