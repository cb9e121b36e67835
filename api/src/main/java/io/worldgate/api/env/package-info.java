/**
 * Environments as agents and the host see them: the spec, batched step results with separate
 * {@code terminated} and {@code truncated} flags, the vectorized environment interface, and a
 * way for an agent to run whole episodes itself.
 */
@Export
@Version("1.1.0")
package io.worldgate.api.env;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
