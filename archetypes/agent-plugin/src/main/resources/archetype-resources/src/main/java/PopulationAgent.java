package ${package};

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A population-based agent: the cross-entropy method (CEM) over the weights of a linear policy on
 * the {@code state} observation. It never learns from single steps; each call of
 * {@code train(1)} is one <em>generation</em>:
 * <ol>
 *   <li>draw {@code population} weight vectors θ ~ N(μ, diag σ²);</li>
 *   <li>score each on {@code episodes_per_candidate} whole episodes with the host's
 *       {@link PopulationEvaluator}, which plays them on the run's own environments, counts their
 *       steps in the run's budget and stores them in its experience;</li>
 *   <li>refit μ and σ to the best {@code elite} candidates (σ kept above {@code min_std}, so the
 *       search does not collapse before it has found anything).</li>
 * </ol>
 * The host calls {@code train} over and over until the run's step budget is spent (the factory
 * declares {@code TrainingCadence.GENERATIONS}); {@code act} plays the mean μ, in evaluation and
 * when the run is swapped to an agent that acts.
 *
 * <p>The policy: for {@code n} discrete actions, θ is an {@code n × (d+1)} matrix and the action is
 * {@code argmax θ·[s, 1]}; for a box of {@code m} elements, θ is {@code m × (d+1)} and element j is
 * {@code tanh(θ_j·[s, 1])} mapped onto its bounds.
 */
final class PopulationAgent implements Agent {
    static final String CHECKPOINT_FILE = "${agentName}-cem.txt";
    static final String FORMAT = "${agentName}-cem checkpoint v1";

    /** The search's settings, from the factory's config keys. */
    record Settings(int population, int elite, int episodesPerCandidate, double initialStd, double minStd) {}

    private final EnvSpec spec;
    private final Settings settings;
    private final PopulationEvaluator evaluator;
    private final MetricsSink metrics;
    private final int stateSize;
    private final int outputs;
    private double[] mean;
    private double[] std;
    private SplittableRandom rng;
    private long generations;

    PopulationAgent(EnvSpec spec, Settings settings, PopulationEvaluator evaluator, MetricsSink metrics, long seed) {
        if (!(spec.observationSpace().get(DictSpace.STATE) instanceof BoxSpace state) || state.shape().length != 1) {
            throw new AgentException("${agentName}-cem needs a flat 'state' observation, " + spec.id() + " has "
                    + spec.observationSpace());
        }
        if (spec.actionSpace() instanceof BoxSpace box && box.dtype() != DType.FLOAT32) {
            throw new AgentException("${agentName}-cem acts in discrete or float32 box action spaces, not " + box);
        }
        this.spec = spec;
        this.settings = settings;
        this.evaluator = evaluator;
        this.metrics = metrics;
        this.stateSize = state.shape()[0];
        this.outputs = spec.actionSpace() instanceof DiscreteSpace d ? d.n() : ((BoxSpace) spec.actionSpace()).numElements();
        int dims = outputs * (stateSize + 1);
        this.mean = new double[dims];
        this.std = new double[dims];
        Arrays.fill(std, settings.initialStd());
        this.rng = new SplittableRandom(seed);
    }

    /** The mean policy μ: the search's current best guess. */
    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        return actions(mean, observations);
    }

    /** {@code generations} generations of the search; returns the last one's metrics. */
    @Override
    public Map<String, Double> train(int generations) {
        Map<String, Double> last = Map.of();
        for (int g = 0; g < generations; g++) {
            last = generation();
        }
        return last;
    }

    private Map<String, Double> generation() {
        if (evaluator == null) {
            throw new AgentException("${agentName}-cem trains only in a training run, whose host lends a population evaluator");
        }
        int dims = mean.length;
        double[][] candidates = new double[settings.population()][dims];
        List<Policy> policies = new ArrayList<>();
        for (double[] theta : candidates) {
            for (int j = 0; j < dims; j++) {
                theta[j] = mean[j] + std[j] * gaussian();
            }
            policies.add(observations -> actions(theta, observations));
        }
        PopulationScores scores = evaluator.evaluate(policies, settings.episodesPerCandidate());
        double[] returns = scores.meanReturns();
        int[] elite = IntStream.range(0, returns.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -returns[c]))
                .limit(settings.elite()).mapToInt(Integer::intValue).toArray();
        for (int j = 0; j < dims; j++) {
            double m = 0;
            for (int c : elite) {
                m += candidates[c][j];
            }
            m /= elite.length;
            double v = 0;
            for (int c : elite) {
                v += (candidates[c][j] - m) * (candidates[c][j] - m);
            }
            mean[j] = m;
            std[j] = Math.max(settings.minStd(), Math.sqrt(v / elite.length));
        }
        generations++;
        double populationMean = Arrays.stream(returns).average().orElseThrow();
        double eliteMean = Arrays.stream(elite).mapToDouble(c -> returns[c]).average().orElseThrow();
        metrics.scalar("cem/population_return", populationMean);
        metrics.scalar("cem/elite_return", eliteMean);
        metrics.scalar("cem/steps_per_generation", scores.steps());
        return Map.of("cem/elite_return", eliteMean, "cem/population_return", populationMean,
                "cem/std", Arrays.stream(std).average().orElseThrow());
    }

    /** The actions of the linear policy {@code theta} for every entry of {@code observations}. */
    private Tensor actions(double[] theta, StepBatch observations) {
        int n = observations.size();
        float[] s = observations.observations().get(DictSpace.STATE).toFloatArray();
        double[] out = new double[outputs];
        if (spec.actionSpace() instanceof DiscreteSpace) {
            int[] chosen = new int[n];
            for (int i = 0; i < n; i++) {
                linear(theta, s, i, out);
                int best = 0;
                for (int k = 1; k < outputs; k++) {
                    best = out[k] > out[best] ? k : best;
                }
                chosen[i] = best;
            }
            return Tensor.ofInts(chosen, n);
        }
        BoxSpace box = (BoxSpace) spec.actionSpace();
        Tensor actions = Tensor.allocate(DType.FLOAT32, box.tensorSpec().batchShape(n));
        for (int i = 0; i < n; i++) {
            linear(theta, s, i, out);
            for (int j = 0; j < outputs; j++) {
                double unit = (Math.tanh(out[j]) + 1) / 2;
                float a = (float) (box.low(j) + unit * (box.high(j) - box.low(j)));
                actions.setFloat((long) i * outputs + j, Math.max((float) box.low(j), Math.min((float) box.high(j), a)));
            }
        }
        return actions;
    }

    /** {@code out = theta · [s_i, 1]}. */
    private void linear(double[] theta, float[] s, int i, double[] out) {
        for (int k = 0; k < outputs; k++) {
            int row = k * (stateSize + 1);
            double v = theta[row + stateSize];
            for (int j = 0; j < stateSize; j++) {
                v += theta[row + j] * s[i * stateSize + j];
            }
            out[k] = v;
        }
    }

    /** A standard normal draw (Box-Muller). */
    private double gaussian() {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** Generations run so far, over this agent and the checkpoints it loaded. */
    long generations() {
        return generations;
    }

    /** Writes μ, σ, the generation count and the generator's next seed. */
    @Override
    public void save(Path directory) throws IOException {
        long next = rng.split().nextLong();
        rng = new SplittableRandom(next);
        String text = FORMAT + "\n"
                + "action_space=" + spec.actionSpace() + "\n"
                + "generations=" + generations + "\n"
                + "seed=" + next + "\n"
                + "mean=" + join(mean) + "\n"
                + "std=" + join(std) + "\n";
        Files.writeString(directory.resolve(CHECKPOINT_FILE), text, StandardCharsets.UTF_8);
    }

    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        Path file = directory.resolve(CHECKPOINT_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IncompatibleCheckpointException("no " + CHECKPOINT_FILE + " in " + directory);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IncompatibleCheckpointException("unknown checkpoint format in " + file + ", expected '" + FORMAT + "'");
        }
        Map<String, String> values = new java.util.HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!spec.actionSpace().toString().equals(values.get("action_space"))) {
            throw new IncompatibleCheckpointException("checkpoint is for action space " + values.get("action_space")
                    + ", this run has " + spec.actionSpace());
        }
        try {
            double[] m = split(values.get("mean"));
            double[] s = split(values.get("std"));
            if (m.length != mean.length || s.length != std.length) {
                throw new IncompatibleCheckpointException("checkpoint has " + m.length + " weights, this spec needs " + mean.length);
            }
            mean = m;
            std = s;
            generations = Long.parseLong(values.get("generations"));
            rng = new SplittableRandom(Long.parseLong(values.get("seed")));
        } catch (NumberFormatException | NullPointerException e) {
            throw new IncompatibleCheckpointException("damaged checkpoint " + file + ": " + e);
        }
    }

    private static String join(double[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Double::toString).toList());
    }

    private static double[] split(String text) {
        return text.isEmpty() ? new double[0] : Arrays.stream(text.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    @Override
    public void close() {
    }
}
