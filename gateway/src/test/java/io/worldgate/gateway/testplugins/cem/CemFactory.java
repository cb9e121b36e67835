package io.worldgate.gateway.testplugins.cem;

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.AgentContext;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.AgentFactory;
import io.worldgate.api.agent.TrainingCadence;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.testplugins.common.TestAgent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.osgi.service.component.annotations.Component;

/**
 * A tiny cross-entropy method over a linear policy for a 2-action env with a flat {@code state}
 * (CartPole): each generation ({@code train(1)}, the {@link TrainingCadence#GENERATIONS} cadence)
 * samples 16 weight vectors around a Gaussian, scores each on one episode through the host's
 * population evaluator, and refits the Gaussian to the best 4. Reports per generation the
 * population's mean return, the evaluator's steps, and how much the experience grew.
 */
@Component(service = AgentFactory.class)
public class CemFactory implements AgentFactory {
    static final int POPULATION = 16;
    static final int ELITE = 4;

    @Override
    public AgentDescriptor descriptor() {
        return TestAgent.descriptor("cem").withCadence(TrainingCadence.GENERATIONS);
    }

    @Override
    public Agent create(EnvSpec spec, AgentConfig config, AgentContext context) {
        PopulationEvaluator evaluator = context.populationEvaluator()
                .orElseThrow(() -> new IllegalStateException("cem needs the host's population evaluator"));
        int dims = ((io.worldgate.api.space.BoxSpace) spec.observationSpace().get("state")).shape()[0] + 1;
        return new TestAgent() {
            private final SplittableRandom rng = new SplittableRandom(context.seed());
            private final double[] mean = new double[dims];
            private final double[] std = filled(dims, 1.0);

            @Override
            public Tensor act(StepBatch observations, ActMode mode) {
                return actions(mean, observations);
            }

            @Override
            public Map<String, Double> train(int generations) {
                double[][] candidates = new double[POPULATION][dims];
                List<Policy> policies = new ArrayList<>();
                for (double[] w : candidates) {
                    for (int j = 0; j < dims; j++) {
                        w[j] = mean[j] + std[j] * gaussian();
                    }
                    policies.add(obs -> actions(w, obs));
                }
                long storedBefore = context.experience().numSteps();
                PopulationScores scores = evaluator.evaluate(policies, 1);
                long stored = context.experience().numSteps() - storedBefore;
                double[] returns = scores.meanReturns();
                int[] best = IntStream.range(0, POPULATION).boxed()
                        .sorted(Comparator.comparingDouble((Integer c) -> -returns[c])).limit(ELITE)
                        .mapToInt(Integer::intValue).toArray();
                for (int j = 0; j < dims; j++) {
                    double m = 0;
                    for (int c : best) {
                        m += candidates[c][j] / ELITE;
                    }
                    double v = 0;
                    for (int c : best) {
                        v += (candidates[c][j] - m) * (candidates[c][j] - m) / ELITE;
                    }
                    mean[j] = m;
                    std[j] = Math.sqrt(v) + 0.05; // a floor keeps the search from collapsing
                }
                double populationMean = Arrays.stream(returns).average().orElseThrow();
                context.metrics().scalar("cem/population_mean", populationMean);
                context.metrics().scalar("cem/steps", scores.steps());
                context.metrics().scalar("cem/stored", stored);
                return Map.of("cem/elite_mean", Arrays.stream(best).mapToDouble(c -> returns[c]).average().orElseThrow());
            }

            private double gaussian() {
                double u = 1 - rng.nextDouble();
                return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
            }
        };
    }

    /** Action 1 where {@code w . [state, 1] > 0}. */
    private static Tensor actions(double[] w, StepBatch obs) {
        float[] s = obs.observations().get("state").toFloatArray();
        int n = obs.size();
        int d = w.length - 1;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            double v = w[d];
            for (int j = 0; j < d; j++) {
                v += w[j] * s[i * d + j];
            }
            a[i] = v > 0 ? 1 : 0;
        }
        return Tensor.ofInts(a, n);
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }
}
