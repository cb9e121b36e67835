/**
 * Observation and action spaces, after Gymnasium's: discrete, box and dict. Every space can
 * validate a batch of values, which the host uses to reject malformed actions before they reach
 * a simulator.
 */
@Export
@Version("1.0.0")
package io.worldgate.api.space;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
