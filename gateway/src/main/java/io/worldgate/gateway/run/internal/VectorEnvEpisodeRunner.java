package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeRunner;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.PlayedEpisode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** Plays whole episodes on environments of its own, created on demand, for agents that score policies themselves. */
public final class VectorEnvEpisodeRunner implements EpisodeRunner {
    private final EnvSpec spec;
    private final IntFunction<VectorEnv> envs;

    /** @param envs creates {@code n} environments of the run's kind */
    public VectorEnvEpisodeRunner(EnvSpec spec, IntFunction<VectorEnv> envs) {
        this.spec = spec;
        this.envs = envs;
    }

    @Override
    public EnvSpec spec() {
        return spec;
    }

    @Override
    public List<EpisodeSummary> run(Policy policy, int episodes, long seed) {
        try (VectorEnv env = envs.apply(Math.max(1, Math.min(episodes, spec.numEnvs())))) {
            return runOn(env, policy, episodes, seed);
        }
    }

    /** Plays {@code episodes} episodes with {@code policy} on {@code env}, which stays open. */
    public static List<EpisodeSummary> runOn(VectorEnv env, Policy policy, int episodes, long seed) {
        return play(env, policy, episodes, seed).stream().map(PlayedEpisode::summary).toList();
    }

    /**
     * As {@link #runOn(VectorEnv, Policy, int, long)}, with the largest value of each number the
     * environment reports beside its observations in each episode (see {@link EpisodeInfos}).
     */
    public static List<PlayedEpisode> play(VectorEnv env, Policy policy, int episodes, long seed) {
        return play(env, policy, episodes, seed, () -> false, obs -> {});
    }

    /**
     * Plays {@code episodes} episodes with {@code policy} on {@code env}, which stays open, and
     * returns them in the order they ended, each with the largest value of each number the
     * environment reports beside its observations (see {@link EpisodeInfos}). Each environment
     * plays its share of the episodes, fixed before the first step (environment {@code i} of
     * {@code n}: {@code episodes / n}, one more for the first {@code episodes % n}), and episodes
     * beyond its share are not counted: keeping whichever ended first would favour short episodes,
     * such as early failures or early successes (an environment whose episodes never end holds
     * the call until {@code stopped}). Gives up when
     * {@code stopped} turns true (a run being stopped mid-evaluation), returning the episodes
     * finished by then (which may favour short ones), and shows {@code observer} every batch: the reset's and each step's, the
     * last one included. An episode cut by a worker restart is not counted: it is played again.
     */
    public static List<PlayedEpisode> play(VectorEnv env, Policy policy, int episodes, long seed, BooleanSupplier stopped,
            Consumer<StepBatch> observer) {
        List<PlayedEpisode> done = new ArrayList<>();
        EpisodeInfos infos = new EpisodeInfos(env);
        int n = env.spec().numEnvs();
        StepBatch obs = env.reset(seed);
        infos.observe(obs);
        observer.accept(obs);
        double[] returns = new double[n];
        int[] lengths = new int[n];
        int[] owed = new int[n];
        for (int i = 0; i < n; i++) {
            owed[i] = episodes / n + (i < episodes % n ? 1 : 0);
        }
        while (done.size() < episodes && !stopped.getAsBoolean()) {
            Tensor actions = policy.act(obs);
            obs = env.step(actions);
            infos.observe(obs);
            observer.accept(obs);
            for (int i = 0; i < n && done.size() < episodes; i++) {
                if (obs.isFirst()[i]) {
                    continue;
                }
                returns[i] += obs.rewards()[i];
                lengths[i]++;
                if (obs.isLast(i)) {
                    Map<String, Double> maxima = infos.take(i);
                    // an episode cut by a worker restart says nothing about the policy
                    if (!infos.cut(i) && owed[i] > 0) {
                        owed[i]--;
                        done.add(new PlayedEpisode(new EpisodeSummary(returns[i], lengths[i], obs.terminated()[i]), maxima));
                    }
                    returns[i] = 0;
                    lengths[i] = 0;
                }
            }
        }
        return done;
    }
}
