package io.worldgate.gateway.service;

import java.util.List;

/**
 * Returns of evaluation episodes played with one checkpoint.
 *
 * @param agent the agent that played, {@code name@version}
 * @param checkpoint the checkpoint directory it loaded
 * @param returns one return per episode
 */
public record EvaluationResult(String agent, String checkpoint, List<Double> returns) {
    public EvaluationResult {
        returns = List.copyOf(returns);
    }

    public double meanReturn() {
        return returns.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
