package io.worldgate.api.env;

import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.Space;
import java.util.Map;
import java.util.Objects;

/**
 * What an agent is told about the environments it will act in.
 *
 * @param id environment id, for example {@code dmc:walker-walk} or {@code atari:Pong}
 * @param observationSpace named observations of one environment
 * @param actionSpace actions of one environment ({@code DiscreteSpace} or float32 {@code BoxSpace})
 * @param numEnvs how many environments step together (the batch size of every observation)
 * @param maxEpisodeSteps agent steps after which an episode is truncated (0 if unlimited)
 * @param properties free-form facts such as {@code action_repeat}; never needed to act correctly
 */
public record EnvSpec(String id, DictSpace observationSpace, Space actionSpace, int numEnvs,
        int maxEpisodeSteps, Map<String, String> properties) {
    public EnvSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(observationSpace, "observationSpace");
        Objects.requireNonNull(actionSpace, "actionSpace");
        if (actionSpace instanceof DictSpace) {
            throw new IllegalArgumentException("dict action spaces are not supported");
        }
        if (numEnvs < 1) {
            throw new IllegalArgumentException("numEnvs must be at least 1, got " + numEnvs);
        }
        properties = Map.copyOf(properties);
    }

    /** The same environments with another batch size. */
    public EnvSpec withNumEnvs(int n) {
        return new EnvSpec(id, observationSpace, actionSpace, n, maxEpisodeSteps, properties);
    }
}
