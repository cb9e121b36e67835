package io.worldgate.gateway.cli.internal;

import io.worldgate.api.agent.AgentDescriptor;

/**
 * A deployed agent as {@code agents describe} shows it.
 *
 * @param label {@code name@version}
 * @param descriptor its config keys, presets and supported spaces
 */
public record AgentInfo(String label, AgentDescriptor descriptor) {}
