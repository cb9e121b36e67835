package io.worldgate.api.agent;

import io.worldgate.api.env.EnvSpec;
import java.util.Optional;

/**
 * The service an agent plugin offers: a description of the agent and a way to create it.
 *
 * <p>Register it as an OSGi service, most simply as a Declarative Services
 * {@code @Component(service = AgentFactory.class)}. The host tracks factories dynamically: a
 * plugin may come, go and be replaced while runs go on.
 */
public interface AgentFactory {

    /** Name, config keys, presets and supported spaces. Cheap; called often. */
    AgentDescriptor descriptor();

    /**
     * Why this agent cannot act in {@code spec}, or empty if it can. The default checks the
     * descriptor's action kinds and observation keys.
     */
    default Optional<String> incompatibility(EnvSpec spec) {
        return descriptor().incompatibility(spec);
    }

    /**
     * Creates an agent for {@code spec}.
     *
     * @param config resolved configuration: the descriptor's defaults, then a preset, then user
     *     overrides, already validated against the descriptor's keys
     * @param context what the host lends the agent: experience, metrics, a work directory
     * @throws AgentException if the agent cannot be created; the message is shown to the user
     */
    Agent create(EnvSpec spec, AgentConfig config, AgentContext context);
}
