package io.worldgate.api.learner;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.space.DictSpace;
import java.util.Optional;

/**
 * The service a learner plugin offers: a description of the learner and a way to create it.
 * Register it as an OSGi service, most simply as a Declarative Services
 * {@code @Component(service = LearnerFactory.class)}; the host tracks learner factories as it
 * tracks agent factories. One bundle may offer both kinds, such as an encoder that pre-trains as a
 * learner and is then bound by agents as a service.
 */
public interface LearnerFactory {

    /** Name, config keys and presets. Cheap; called often. */
    LearnerDescriptor descriptor();

    /**
     * Why this learner cannot train on experience with {@code observations}, or empty if it can.
     * The default checks the descriptor's observation keys.
     */
    default Optional<String> incompatibility(DictSpace observations) {
        return descriptor().incompatibility(observations);
    }

    /**
     * Creates a learner.
     *
     * @param context what the host lends it: the experience, metrics, a work directory, seed, device
     * @param config resolved configuration: the descriptor's defaults, then a preset, then user
     *     overrides, already validated against the descriptor's keys
     * @throws io.worldgate.api.agent.AgentException if the learner cannot be created; the message
     *     is shown to the user
     */
    Learner create(LearnerContext context, AgentConfig config);
}
