/**
 * Dense tensors backed by direct memory, their specs, and named groups of them. Batched values
 * always put the environment (batch) dimension first.
 */
@Export
@Version("1.0.0")
package io.worldgate.api.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
