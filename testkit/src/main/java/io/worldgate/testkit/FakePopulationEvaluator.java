package io.worldgate.testkit;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The host's population evaluator without a host, over a toy task: every observation is drawn at
 * random from the spec's spaces, each step is rewarded by a {@link Reward} of the observation and
 * the action taken at it, and every episode is truncated after {@code spec.maxEpisodeSteps()}
 * actions. It keeps the host's rules that an agent can notice: the {@code P × E} episodes are dealt
 * to the {@code spec.numEnvs()} environments in turn, each candidate sees the whole batch, an
 * environment is handed to a candidate only at an {@code isFirst} entry, every episode runs to its
 * end, and every step taken is counted and appended to the experience (an episode's steps at once,
 * when it ends, so that the experience holds whole episodes one after another).
 */
public final class FakePopulationEvaluator implements PopulationEvaluator {

    /** The reward for the action taken at an observation. */
    @FunctionalInterface
    public interface Reward {
        /** The reward for {@code actions}' entry {@code env}, chosen at {@code observations}' entry {@code env}. */
        float of(StepBatch observations, Tensor actions, int env);

        /**
         * 1 where the action matches the sign of the first state element (discrete action 1 for
         * positive, 0 otherwise; a box action's first element of the same sign): a task a linear
         * policy solves, which a random one gets half right.
         */
        static Reward matchTheSignOfTheState() {
            return (observations, actions, env) -> {
                Tensor state = observations.observations().get(DictSpace.STATE);
                int per = (int) (state.numElements() / observations.size());
                boolean positive = state.getFloat((long) env * per) > 0;
                boolean chosePositive = actions.rank() == 1
                        ? actions.getInt(env) == 1
                        : actions.getFloat(env * (actions.numElements() / observations.size())) > 0;
                return positive == chosePositive ? 1f : 0f;
            };
        }

        /**
         * For any spec: 1 for discrete action 0; for a box, 1 minus the first element's distance
         * from its lower bound as a fraction of its range.
         */
        static Reward towardsTheLowestAction(EnvSpec spec) {
            if (spec.actionSpace() instanceof BoxSpace box) {
                long per = box.numElements();
                return (observations, actions, env) ->
                        (float) (1 - (actions.getDouble(env * per) - box.low(0)) / (box.high(0) - box.low(0)));
            }
            return (observations, actions, env) -> actions.getInt(env) == 0 ? 1f : 0f;
        }
    }

    private final EnvSpec spec;
    private final Reward reward;
    private final FakeExperience experience;
    private final SplittableRandom rng;
    private long steps;
    private int evaluations;

    /**
     * An evaluator of {@code spec.numEnvs()} environments whose steps are appended to
     * {@code experience} (which may be null: then nothing is stored).
     */
    public FakePopulationEvaluator(EnvSpec spec, Reward reward, FakeExperience experience, long seed) {
        if (!(spec.actionSpace() instanceof DiscreteSpace) && !(spec.actionSpace() instanceof BoxSpace)) {
            throw new IllegalArgumentException("no toy task for action space " + spec.actionSpace());
        }
        this.spec = spec;
        this.reward = reward;
        this.experience = experience;
        this.rng = new SplittableRandom(seed);
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    /** Steps taken over all evaluations, as they would count in a run's budget. */
    public long steps() {
        return steps;
    }

    /** How many times {@link #evaluate} was called. */
    public int evaluations() {
        return evaluations;
    }

    @Override
    public PopulationScores evaluate(List<? extends Policy> candidates, int episodesPerCandidate) {
        if (candidates.isEmpty() || episodesPerCandidate < 1) {
            throw new IllegalArgumentException("need at least one candidate and one episode each, got "
                    + candidates.size() + " and " + episodesPerCandidate);
        }
        evaluations++;
        int n = spec.numEnvs();
        List<List<EpisodeSummary>> scored = new ArrayList<>();
        candidates.forEach(c -> scored.add(new ArrayList<>()));
        int toDeal = candidates.size() * episodesPerCandidate;
        int dealt = 0;
        int ended = 0;
        long stepsBefore = steps;
        int[] holder = new int[n];
        boolean[] scoring = new boolean[n];
        int[] length = new int[n];
        double[] returns = new double[n];
        List<List<FakeExperience.Step>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(new ArrayList<>());
        }
        boolean[] first = new boolean[n];
        java.util.Arrays.fill(first, true);
        StepBatch batch = observe(first, new float[n], new boolean[n]);
        while (ended < toDeal) {
            for (int i = 0; i < n; i++) {
                if (batch.isFirst()[i]) {
                    // the next episode still to play, episode 1 of every candidate before episode 2
                    scoring[i] = dealt < toDeal;
                    holder[i] = scoring[i] ? dealt++ % candidates.size() : holder[i];
                    length[i] = 0;
                    returns[i] = 0;
                }
            }
            Tensor[] chosen = new Tensor[candidates.size()];
            float[] rewards = new float[n];
            boolean[] truncated = new boolean[n];
            boolean[] next = new boolean[n];
            for (int i = 0; i < n; i++) {
                Tensor actions = chosen[holder[i]];
                if (actions == null) {
                    actions = candidates.get(holder[i]).act(batch);
                    Optional<String> invalid = spec.actionSpace().validateBatch(actions, n);
                    if (invalid.isPresent()) {
                        throw new IllegalArgumentException("candidate " + holder[i] + " chose invalid actions: " + invalid.get());
                    }
                    chosen[holder[i]] = actions;
                }
                rewards[i] = reward.of(batch, actions, i);
                pending.get(i).add(stepAt(batch, actions, i));
                length[i]++;
                returns[i] += rewards[i];
                steps++;
                truncated[i] = length[i] >= spec.maxEpisodeSteps();
            }
            StepBatch after = observe(new boolean[n], rewards, truncated);
            for (int i = 0; i < n; i++) {
                if (truncated[i]) {
                    pending.get(i).add(stepAt(after, null, i));
                    if (experience != null) {
                        pending.get(i).forEach(experience::add);
                    }
                    pending.get(i).clear();
                    if (scoring[i]) {
                        scored.get(holder[i]).add(new EpisodeSummary(returns[i], length[i], false));
                        ended++;
                    }
                    next[i] = true;
                }
            }
            batch = beginAgain(next, after);
        }
        return new PopulationScores(scored, steps - stepsBefore);
    }

    /** Fresh random observations, entries flagged {@code first} beginning an episode. */
    private StepBatch observe(boolean[] first, float[] rewards, boolean[] truncated) {
        int n = first.length;
        Map<String, Tensor> obs = new LinkedHashMap<>();
        spec.observationSpace().spaces().forEach((name, space) -> obs.put(name, StepBatches.sample(space, n, rng)));
        long[] ids = new long[n];
        java.util.Arrays.setAll(ids, i -> i);
        return new StepBatch(NamedTensors.of(obs), rewards.clone(), new boolean[n], truncated.clone(), first.clone(), ids);
    }

    /**
     * The batch after a step: entries that ended carry their final observation in {@code after};
     * here they begin again with a new one, flagged first, reward 0, as the host's auto-reset does
     * on the following step (folded into this one, since the toy task has no dynamics).
     */
    private StepBatch beginAgain(boolean[] first, StepBatch after) {
        int n = first.length;
        StepBatch fresh = observe(first, new float[n], new boolean[n]);
        Map<String, Tensor> obs = new LinkedHashMap<>();
        for (String name : after.observations().names()) {
            Tensor merged = after.observations().get(name).copy();
            Tensor reset = fresh.observations().get(name);
            int per = (int) (merged.numElements() / n);
            for (int i = 0; i < n; i++) {
                if (first[i]) {
                    for (int e = 0; e < per; e++) {
                        merged.setDouble((long) i * per + e, reset.getDouble((long) i * per + e));
                    }
                }
            }
            obs.put(name, merged);
        }
        float[] r = after.rewards().clone();
        for (int i = 0; i < n; i++) {
            if (first[i]) {
                r[i] = 0;
            }
        }
        return new StepBatch(NamedTensors.of(obs), r, new boolean[n], new boolean[n], first.clone(), after.episodeIds());
    }

    /** Entry {@code i} of {@code batch} as a stored step, with the action chosen at it (zeros when none was). */
    private FakeExperience.Step stepAt(StepBatch batch, Tensor actions, int i) {
        Map<String, Tensor> obs = new LinkedHashMap<>();
        batch.observations().asMap().forEach((k, v) -> obs.put(k, v.batchEntry(i).copy()));
        Tensor action = actions != null ? actions.batchEntry(i).copy()
                : Tensor.allocate(spec.actionSpace().tensorSpec().dtype(), spec.actionSpace().tensorSpec().shape());
        return new FakeExperience.Step(obs, action, batch.isFirst()[i] ? 0 : batch.rewards()[i], batch.isFirst()[i],
                false, batch.truncated()[i]);
    }
}
