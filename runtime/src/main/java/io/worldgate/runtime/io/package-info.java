/**
 * Checkpoints of a block's parameters: {@link io.worldgate.runtime.io.BlockCheckpoint} writes
 * DJL's parameter stream plus a properties header with a format version and every parameter's
 * name, shape and type, so that loading into a block of another architecture fails with a clear
 * {@code IncompatibleCheckpointException} before anything is changed.
 * {@link io.worldgate.runtime.io.SafeTensors} reads a safetensors file that other tools wrote
 * (such as Hugging Face weights) without torch, and {@link io.worldgate.runtime.io.JsonFiles} a
 * JSON file (such as their {@code config.json}) into plain Java values.
 */
@Export
@Version("1.1.0")
package io.worldgate.runtime.io;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
