package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.StepInfos;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjDoubleConsumer;

/**
 * Follows the numbers an environment reports beside its observations ({@link StepInfos}) over
 * each episode, and reports for each the largest value seen as {@code episode/<name>}: for a
 * success flag such as Meta-World's, whether the episode succeeded at any step. Also tells which
 * ended episodes were cut by a worker restart, and how many restarts there were.
 */
public final class EpisodeInfos {
    /**
     * The partial return of an episode cut by a worker restart or by the reset before a population
     * evaluation (not an {@code episode/return}).
     */
    public static final String CUT_RETURN_TAG = "episode/cut_return";
    /** The steps an episode cut by a worker restart had taken. */
    public static final String CUT_LENGTH_TAG = "episode/cut_length";
    /** Env worker restarts so far in this process, written when it changes. */
    public static final String WORKER_RESTARTS_TAG = "bridge/worker_restarts";
    /** Stand-in rows so far: env steps no simulator took because the env's worker was restarting. */
    public static final String WAITING_STEPS_TAG = "bridge/waiting_steps";

    private final StepInfos source;
    private final Map<String, double[]> maxima = new LinkedHashMap<>();
    private long waitingSteps;

    public EpisodeInfos(VectorEnv env) {
        this.source = env instanceof StepInfos s ? s : null;
    }

    /** Takes in the infos of the step that produced {@code batch}; the first step of an episode starts afresh. */
    public void observe(StepBatch batch) {
        if (source == null) {
            return;
        }
        int numEnvs = batch.isFirst().length;
        for (int i = 0; i < numEnvs; i++) {
            if (source.waiting(i)) {
                waitingSteps++;
            }
        }
        source.lastInfos().forEach((name, values) -> {
            double[] max = maxima.computeIfAbsent(name, k -> unseen(numEnvs));
            for (int i = 0; i < numEnvs && i < values.length; i++) {
                if (batch.isFirst()[i]) {
                    max[i] = Double.NEGATIVE_INFINITY;
                } else {
                    max[i] = Math.max(max[i], values[i]);
                }
            }
        });
    }

    /** Whether env {@code i}'s episode, ended in the last batch, was cut by a worker restart. */
    public boolean cut(int i) {
        return source != null && source.cut(i);
    }

    /** Whether env {@code i}'s row of the last batch is a stand-in: see {@link StepInfos#waiting}. */
    public boolean waiting(int i) {
        return source != null && source.waiting(i);
    }

    /** Stand-in rows observed so far: see {@link StepInfos#waiting}. */
    public long waitingSteps() {
        return waitingSteps;
    }

    /** Env worker restarts so far (0 for environments without workers). */
    public long workerRestarts() {
        return source == null ? 0 : source.workerRestarts();
    }

    /** Env {@code i}'s episode ended: reports its maxima to {@code scalar} and forgets them. */
    public void finish(int i, ObjDoubleConsumer<String> scalar) {
        take(i).forEach((name, max) -> scalar.accept("episode/" + name, max));
    }

    /** Env {@code i}'s episode ended: its maxima, name to largest value seen, forgotten here. */
    public Map<String, Double> take(int i) {
        Map<String, Double> seen = new LinkedHashMap<>();
        maxima.forEach((name, max) -> {
            if (max[i] != Double.NEGATIVE_INFINITY) {
                seen.put(name, max[i]);
            }
            max[i] = Double.NEGATIVE_INFINITY;
        });
        return seen;
    }

    private static double[] unseen(int numEnvs) {
        double[] a = new double[numEnvs];
        Arrays.fill(a, Double.NEGATIVE_INFINITY);
        return a;
    }
}
