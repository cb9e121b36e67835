package io.worldgate.gateway.run.internal;

import io.worldgate.gateway.run.RunScalars;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjDoubleConsumer;

/**
 * The episodes of a run's environments: the return and length of each one in progress, and how
 * each ends. A finished episode's return counts (the returns, the learning curve, the env's own
 * numbers); one cut by a worker restart or a population evaluation is kept apart, and the env's
 * numbers of it are dropped, since a cut episode's return says nothing of the agent.
 */
public final class EpisodeTally {
    /** Where the numbers of ended episodes go. */
    public interface Output {
        void scalar(String tag, double value);

        /** An episode finished and counts; its return is already among {@link #returns}. */
        void episodeFinished(double episodeReturn, int length);
    }

    /** The finished episodes so far: how many, and the last one's return (NaN before the first). */
    public record Finished(int count, double lastReturn) {}

    private static final ObjDoubleConsumer<String> DROP = (tag, value) -> { };

    private final Output out;
    private final List<Double> finished = new ArrayList<>();
    private volatile long cut;
    private EpisodeInfos infos;
    private double[] returns = new double[0];
    private int[] lengths = new int[0];

    public EpisodeTally(Output out) {
        this.out = out;
    }

    /** Starts tracking {@code n} environments whose infos {@code infos} follows, all at the start of an episode. */
    public void track(int n, EpisodeInfos infos) {
        this.infos = infos;
        this.returns = new double[n];
        this.lengths = new int[n];
    }

    /** Env {@code env} took a counted step of its episode (not its first observation). */
    public void stepped(int env, double reward, boolean last) {
        returns[env] += reward;
        lengths[env]++;
        if (last) {
            ended(env, returns[env], lengths[env], infos.cut(env));
            returns[env] = 0;
            lengths[env] = 0;
        }
    }

    /** Env {@code env}'s episode ended, finished or {@code cut}. */
    public void ended(int env, double episodeReturn, int length, boolean cut) {
        if (cut) {
            this.cut++;
            out.scalar(EpisodeInfos.CUT_RETURN_TAG, episodeReturn);
            out.scalar(EpisodeInfos.CUT_LENGTH_TAG, length);
            infos.finish(env, DROP);
        } else {
            synchronized (finished) {
                finished.add(episodeReturn);
            }
            out.scalar(RunScalars.EPISODE_RETURN, episodeReturn);
            out.scalar("episode/length", length);
            out.episodeFinished(episodeReturn, length);
            infos.finish(env, out::scalar);
        }
    }

    /** Every episode in progress ends here, cut (a population evaluation resets the envs). */
    public void cutInProgress() {
        for (int i = 0; i < returns.length; i++) {
            if (lengths[i] > 0) {
                ended(i, returns[i], lengths[i], true);
            } else {
                infos.finish(i, DROP);
            }
            returns[i] = 0;
            lengths[i] = 0;
        }
    }

    public Finished finished() {
        synchronized (finished) {
            int n = finished.size();
            return new Finished(n, n == 0 ? Double.NaN : finished.get(n - 1));
        }
    }

    /** Returns of every episode finished, in order. */
    public List<Double> returns() {
        synchronized (finished) {
            return List.copyOf(finished);
        }
    }

    /** Episodes cut so far. */
    public long cutCount() {
        return cut;
    }
}
