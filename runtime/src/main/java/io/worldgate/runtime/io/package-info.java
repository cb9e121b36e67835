/**
 * Checkpoints of a block's parameters: {@link io.worldgate.runtime.io.BlockCheckpoint} writes
 * DJL's parameter stream plus a properties header with a format version and every parameter's
 * name, shape and type, so that loading into a block of another architecture fails with a clear
 * {@code IncompatibleCheckpointException} before anything is changed.
 */
@Export
@Version("1.0.0")
package io.worldgate.runtime.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
