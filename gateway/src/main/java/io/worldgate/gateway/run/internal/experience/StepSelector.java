package io.worldgate.gateway.run.internal.experience;

import io.worldgate.gateway.run.internal.experience.StepReader.StepRef;
import java.util.random.RandomGenerator;

/**
 * Draws one stored step with the weights of an {@link io.worldgate.api.experience.Selector}; a
 * selector is made for one sampling call and reads the store as it is then.
 */
interface StepSelector {
    StepRef pick(RandomGenerator rng);
}
