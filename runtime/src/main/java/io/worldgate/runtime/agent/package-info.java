/**
 * Machinery every agent's {@code Agent} implementation needs around its networks:
 * {@link io.worldgate.runtime.agent.PerEnvState}, the state carried between {@code act} calls per
 * act mode and environment, reset where an episode starts;
 * {@link io.worldgate.runtime.agent.CheckpointFiles}, an agent's checkpoint files written
 * whole or not at all, with a format and version checked on load; and
 * {@link io.worldgate.runtime.agent.ResumedRandom}, the sampling stream after a checkpoint is
 * loaded.
 */
@Export
@Version("1.1.0")
package io.worldgate.runtime.agent;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
