package ${package};

import io.worldgate.api.agent.ActMode;
import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.AgentException;
import io.worldgate.api.agent.IncompatibleCheckpointException;
import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The ${agentName} agent. As generated it acts uniformly at random, which is a complete, working
 * agent: replace the body of {@code act} with your policy and {@code train} with your updates.
 *
 * <p>The host calls {@code act} and {@code train} from one thread, never at the same time, so the
 * agent needs no locking. Its state that must survive a restart or a swap to a newer version of
 * the plugin goes through {@code save} and {@code load}; experience, step counters and the
 * configuration belong to the host.
 */
final class PluginAgent implements Agent {
    /** The checkpoint file this agent writes into the directory the host gives {@code save}. */
    static final String CHECKPOINT_FILE = "${agentName}-agent.txt";
    /** First line of the checkpoint. Change it when the format changes incompatibly. */
    static final String FORMAT = "${agentName} checkpoint v1";

    private final EnvSpec spec;
    private final double actionScale;
    private SplittableRandom rng;
    /**
     * Per mode, per environment: steps since its episode began. It stands for what a real agent
     * keeps per episode (a recurrent state, a planner's warm start). Evaluation ({@code EVAL}) plays
     * in environments of its own, possibly fewer, so its state is kept apart from training's.
     */
    private final EnumMap<ActMode, long[]> episodeSteps = new EnumMap<>(ActMode.class);
    private long actCalls;

    PluginAgent(EnvSpec spec, double actionScale, long seed) {
        if (spec.actionSpace() instanceof BoxSpace box && box.dtype() != DType.FLOAT32) {
            throw new AgentException("${agentName} acts in discrete or float32 box action spaces, not " + box);
        }
        this.spec = spec;
        this.actionScale = actionScale;
        this.rng = new SplittableRandom(seed);
    }

    /**
     * One action per environment: int32 {@code [N]} for a discrete space, float32 {@code [N, ...]}
     * within the bounds for a box. The host checks them and pauses the run if they are invalid.
     * {@code EXPLORE} is for collecting experience (sample, add noise); {@code EVAL} asks for the
     * best action, in the host's evaluation episodes. A uniform random policy has no best action,
     * so both modes sample here. Observations are read-only and valid only during this call: copy
     * what you keep.
     */
    @Override
    public Tensor act(StepBatch observations, ActMode mode) {
        int n = observations.size();
        long[] steps = episodeState(mode, n);
        for (int i = 0; i < n; i++) {
            // A new episode began in environment i: reset what the agent keeps for it.
            steps[i] = observations.isFirst()[i] ? 0 : steps[i] + 1;
        }
        actCalls++;
        if (spec.actionSpace() instanceof DiscreteSpace discrete) {
            int[] actions = new int[n];
            for (int i = 0; i < n; i++) {
                actions[i] = rng.nextInt(discrete.n());
            }
            return Tensor.ofInts(actions, n);
        }
        BoxSpace box = (BoxSpace) spec.actionSpace();
        int per = box.numElements();
        Tensor actions = Tensor.allocate(DType.FLOAT32, box.tensorSpec().batchShape(n));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                double centre = (box.low(j) + box.high(j)) / 2;
                double half = (box.high(j) - box.low(j)) / 2 * actionScale;
                actions.setFloat((long) i * per + j,
                        toFloatWithin(centre + half * (2 * rng.nextDouble() - 1), box.low(j), box.high(j)));
            }
        }
        return actions;
    }

    /** {@code value} as a float inside {@code [low, high]}: rounding to float must not step outside the bounds. */
    private static float toFloatWithin(double value, double low, double high) {
        float f = (float) Math.max(low, Math.min(high, value));
        if (f > high) {
            f = Math.nextDown(f);
        } else if (f < low) {
            f = Math.nextUp(f);
        }
        return f;
    }

    /**
     * Up to {@code updates} learning updates; returns the last update's metrics by name (for
     * example {@code loss/model}), or an empty map when there was nothing to do. A random agent
     * learns nothing.
     */
    @Override
    public Map<String, Double> train(int updates) {
        return Map.of();
    }

    /** Writes a small text checkpoint into {@code directory}, which exists and is empty. */
    @Override
    public void save(Path directory) throws IOException {
        // A SplittableRandom cannot be written out; continue from a seed split off it instead.
        long next = rng.split().nextLong();
        rng = new SplittableRandom(next);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("action_space", spec.actionSpace().toString());
        values.put("seed", Long.toString(next));
        values.put("act_calls", Long.toString(actCalls));
        StringBuilder text = new StringBuilder(FORMAT).append('\n');
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(directory.resolve(CHECKPOINT_FILE), text, StandardCharsets.UTF_8);
    }

    /**
     * Restores what {@link #save} wrote, by this or another version of the plugin. A checkpoint
     * this agent cannot use (another agent's, another format, another action space) is reported
     * with {@link IncompatibleCheckpointException}: the host then goes on with this agent as
     * created and tells the user why.
     */
    @Override
    public void load(Path directory) throws IOException, IncompatibleCheckpointException {
        Path file = directory.resolve(CHECKPOINT_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IncompatibleCheckpointException("no " + CHECKPOINT_FILE + " in " + directory
                    + " (a checkpoint of another agent?)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(FORMAT)) {
            throw new IncompatibleCheckpointException("unknown checkpoint format '"
                    + (lines.isEmpty() ? "" : lines.get(0)) + "', expected '" + FORMAT + "'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String space = values.get("action_space");
        if (!spec.actionSpace().toString().equals(space)) {
            throw new IncompatibleCheckpointException("checkpoint is for action space " + space
                    + ", this run has " + spec.actionSpace());
        }
        try {
            long seed = Long.parseLong(values.get("seed"));
            long calls = Long.parseLong(values.get("act_calls"));
            rng = new SplittableRandom(seed);
            actCalls = calls;
        } catch (NumberFormatException e) {
            throw new IncompatibleCheckpointException("damaged checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** How many times {@link #act} ran, over this agent and the checkpoints it loaded. */
    long actCalls() {
        return actCalls;
    }

    /** The per-environment state of {@code mode} for {@code n} environments, new when the count changes. */
    private long[] episodeState(ActMode mode, int n) {
        long[] state = episodeSteps.get(mode);
        if (state == null || state.length != n) {
            state = new long[n];
            episodeSteps.put(mode, state);
        }
        return state;
    }

    /** Steps since the current episode of environment {@code env} began, in {@code mode}'s environments. */
    long episodeSteps(ActMode mode, int env) {
        return episodeSteps.get(mode)[env];
    }

    /** Releases native memory and threads (an NDManager, an executor); this agent has none. */
    @Override
    public void close() {
    }
}
