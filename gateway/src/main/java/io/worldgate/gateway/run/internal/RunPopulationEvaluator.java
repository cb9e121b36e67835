package io.worldgate.gateway.run.internal;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.EpisodeSummary;
import io.worldgate.api.env.Policy;
import io.worldgate.api.env.PopulationEvaluator;
import io.worldgate.api.env.PopulationScores;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.run.ExperienceStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The host's {@link PopulationEvaluator}: deals a population's episodes out to the run's own
 * environments and plays each to its end, its steps going to the run's experience and budget
 * (see the API's javadoc for the contract). It steps the run's env only inside {@link #during},
 * the window the run opens around its agent's {@code train}.
 */
public final class RunPopulationEvaluator implements PopulationEvaluator {

    /** What the run does with an evaluation's steps and episodes. */
    public interface RunSide {
        /** Before the evaluation's first reset: the run's own episodes in progress end here, cut. */
        void cutEpisodesInProgress();

        /** The seed for a reset of the run's environments now. */
        long resetSeed();

        /** {@code steps} simulator steps were taken (stand-in rows of a restarting worker are none). */
        void stepsTaken(int steps);

        /** A scored episode ended on env {@code env}. */
        void episodeFinished(int env, double episodeReturn, int length);

        /** A scored episode on env {@code env} was cut by a worker restart; it is played again. */
        void episodeCut(int env, double partialReturn, int length);
    }

    private final VectorEnv env;
    private final ExperienceStore experience;
    private final EpisodeInfos infos;
    private final RunSide run;
    private boolean open;
    private StepBatch freshStart;

    public RunPopulationEvaluator(VectorEnv env, ExperienceStore experience, EpisodeInfos infos, RunSide run) {
        this.env = env;
        this.experience = experience;
        this.infos = infos;
        this.run = run;
    }

    /** Runs {@code train} with the evaluator usable: the agent may call {@link #evaluate} inside it only. */
    public <T> T during(Supplier<T> train) {
        open = true;
        try {
            return train.get();
        } finally {
            open = false;
        }
    }

    /**
     * The reset batch the run's own acting goes on from, once after each evaluation (the
     * evaluation reset the environments); empty if none ran since the last call.
     */
    public Optional<StepBatch> takeFreshStart() {
        Optional<StepBatch> fresh = Optional.ofNullable(freshStart);
        freshStart = null;
        return fresh;
    }

    @Override
    public EnvSpec spec() {
        return env.spec();
    }

    @Override
    public PopulationScores evaluate(List<? extends Policy> candidates, int episodesPerCandidate) {
        if (!open) {
            throw new IllegalStateException("the population evaluator may be called only from the agent's train");
        }
        if (candidates.isEmpty() || episodesPerCandidate < 1) {
            throw new IllegalArgumentException("need at least one candidate and one episode each, got "
                    + candidates.size() + " candidates and " + episodesPerCandidate + " episodes");
        }
        int p = candidates.size();
        int n = env.spec().numEnvs();
        Deque<Integer> toPlay = new ArrayDeque<>();
        for (int e = 0; e < episodesPerCandidate; e++) {
            for (int c = 0; c < p; c++) {
                toPlay.add(c);
            }
        }
        List<List<EpisodeSummary>> scored = new ArrayList<>();
        for (int c = 0; c < p; c++) {
            scored.add(new ArrayList<>());
        }
        int[] playing = new int[n]; // the candidate whose scored episode env i plays, or -1
        int[] actor = new int[n]; // whose actions env i takes: the one it plays for, else the last one it did
        double[] returns = new double[n];
        int[] lengths = new int[n];
        Arrays.fill(playing, -1);
        int remaining = p * episodesPerCandidate;
        long steps = 0;

        run.cutEpisodesInProgress();
        StepBatch obs = reset();
        for (int i = 0; i < n; i++) {
            deal(i, toPlay, playing, actor);
        }
        try {
            while (remaining > 0) {
                Tensor actions = actions(candidates, actor, obs);
                experience.appendActions(actions);
                obs = env.step(actions);
                experience.appendObservations(obs);
                infos.observe(obs);
                int counted = 0;
                for (int i = 0; i < n; i++) {
                    counted += infos.waiting(i) ? 0 : 1; // a stand-in row of a restarting worker is no simulator step
                }
                steps += counted;
                run.stepsTaken(counted);
                for (int i = 0; i < n; i++) {
                    if (infos.waiting(i)) {
                        continue;
                    }
                    if (obs.isFirst()[i]) {
                        deal(i, toPlay, playing, actor);
                        continue;
                    }
                    returns[i] += obs.rewards()[i];
                    lengths[i]++;
                    if (!obs.isLast(i)) {
                        continue;
                    }
                    int c = playing[i];
                    if (c < 0) {
                        infos.finish(i, (tag, value) -> { }); // an unscored episode of an env with nothing left to play
                    } else if (infos.cut(i)) {
                        toPlay.addFirst(c);
                        run.episodeCut(i, returns[i], lengths[i]);
                    } else {
                        scored.get(c).add(new EpisodeSummary(returns[i], lengths[i], obs.terminated()[i]));
                        remaining--;
                        run.episodeFinished(i, returns[i], lengths[i]);
                    }
                    playing[i] = -1;
                    returns[i] = 0;
                    lengths[i] = 0;
                }
            }
        } catch (RuntimeException e) {
            // a candidate that failed leaves the envs mid-episode: the run's acting starts afresh all the same
            try {
                freshStart = reset();
            } catch (RuntimeException second) {
                e.addSuppressed(second);
            }
            throw e;
        }
        // envs left with nothing to play may be inside an unscored episode: forget it, and start the run afresh
        for (int i = 0; i < n; i++) {
            infos.finish(i, (tag, value) -> { });
        }
        freshStart = reset();
        return new PopulationScores(scored, steps);
    }

    private StepBatch reset() {
        StepBatch obs = env.reset(run.resetSeed());
        experience.appendObservations(obs);
        infos.observe(obs);
        return obs;
    }

    /** Env {@code i} starts an episode: it plays the next one still to play, if any and if it plays none yet. */
    private static void deal(int i, Deque<Integer> toPlay, int[] playing, int[] actor) {
        if (playing[i] < 0 && !toPlay.isEmpty()) {
            playing[i] = toPlay.removeFirst();
            actor[i] = playing[i];
        }
    }

    /** The batch of actions: each entry from the candidate env {@code i} plays for, each candidate asked once. */
    private Tensor actions(List<? extends Policy> candidates, int[] actor, StepBatch obs) {
        int n = actor.length;
        Tensor out = null;
        int entryBytes = 0;
        boolean[] asked = new boolean[candidates.size()];
        for (int i = 0; i < n; i++) {
            int c = actor[i];
            if (asked[c]) {
                continue;
            }
            asked[c] = true;
            Tensor a = candidates.get(c).act(obs);
            Optional<String> invalid = a == null ? Optional.of("null") : env.spec().actionSpace().validateBatch(a, n);
            if (invalid.isPresent()) {
                throw new IllegalArgumentException("candidate " + c + " returned invalid actions: " + invalid.get());
            }
            if (out == null) {
                out = Tensor.allocate(a.dtype(), a.shape());
                entryBytes = a.byteSize() / n;
            }
            for (int j = i; j < n; j++) {
                if (actor[j] == c) {
                    out.buffer().put(j * entryBytes, a.buffer(), j * entryBytes, entryBytes);
                }
            }
        }
        return out;
    }
}
