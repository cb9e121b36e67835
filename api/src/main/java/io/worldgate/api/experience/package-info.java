/**
 * Read access to a run's experience, which the host owns and appends to: fixed-length sequences
 * sampled across episodes with masks (Dreamer, TD-MPC2) and whole episodes (World Models).
 */
@Export
@Version("1.0.0")
package io.worldgate.api.experience;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
