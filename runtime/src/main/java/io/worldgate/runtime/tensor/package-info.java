/**
 * Conversion between the api's {@code Tensor} (direct native-order buffers) and DJL NDArrays:
 * {@link io.worldgate.runtime.tensor.Tensors} for single tensors and named groups,
 * {@link io.worldgate.runtime.tensor.NDSequenceBatch} for a whole {@code SequenceBatch};
 * {@link io.worldgate.runtime.tensor.Scalars} for arithmetic with a number that gradients may flow
 * through.
 */
@Export
@Version("1.1.0")
package io.worldgate.runtime.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
