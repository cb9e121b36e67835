/**
 * Read access to a run's experience, which the host owns and appends to: fixed-length sequences
 * sampled across episodes with masks (Dreamer) or inside one episode (TD-MPC2), uniformly or
 * favouring recent steps, single frames (an encoder's pre-training) and whole episodes (World
 * Models). 1.1 added {@link io.worldgate.api.experience.SampleRequest},
 * {@link io.worldgate.api.experience.Slicing}, {@link io.worldgate.api.experience.Selector},
 * frame sampling and episode iteration.
 */
@Export
@Version("1.1.0")
package io.worldgate.api.experience;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
