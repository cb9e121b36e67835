package io.worldgate.gateway.service;

import io.worldgate.gateway.run.PlayedEpisode;
import java.util.List;
import java.util.Map;

/**
 * Returns of evaluation episodes played with one checkpoint.
 *
 * @param agent the agent that played, {@code name@version}
 * @param checkpoint the checkpoint directory it loaded
 * @param returns one return per episode
 * @param meanInfos per number the environment reports beside its observations, its mean over the
 *     episodes of its largest value in each: {@code success} is the success rate (see
 *     {@link PlayedEpisode})
 */
public record EvaluationResult(String agent, String checkpoint, List<Double> returns, Map<String, Double> meanInfos) {
    public EvaluationResult {
        returns = List.copyOf(returns);
        meanInfos = PlayedEpisode.sorted(meanInfos);
    }

    public double meanReturn() {
        return returns.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
