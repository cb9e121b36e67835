package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.api.env.StepBatch;

/**
 * Episode ids of a vectorized env's envs, and which envs the last batch reported cut or waiting.
 * The workers know nothing of ids: a new one is given here whenever an env reports {@code isFirst},
 * except to an env that goes on waiting for its worker, whose stand-in rows are one episode.
 */
final class EpisodeIds {
    private final long[] ids;
    private long next;
    private boolean[] lastCut;
    private boolean[] lastWaiting;

    EpisodeIds(int n) {
        ids = new long[n];
        lastCut = new boolean[n];
        lastWaiting = new boolean[n];
    }

    /** Gives the batch its episode ids, zeroes the reward of first steps, and makes it a {@link StepBatch}. */
    StepBatch label(BatchBuilder out) {
        for (int i = 0; i < ids.length; i++) {
            if (out.isFirst[i]) {
                if (!(out.waiting[i] && lastWaiting[i])) {
                    ids[i] = next++;
                }
                out.rewards[i] = 0;
            }
        }
        lastCut = out.cut;
        lastWaiting = out.waiting;
        return new StepBatch(out.observations(), out.rewards, out.terminated, out.truncated, out.isFirst, ids.clone());
    }

    /** Whether env {@code env}'s episode in the last batch was cut by a worker failure. */
    boolean cut(int env) {
        return lastCut[env];
    }

    /** Whether env {@code env}'s row in the last batch stands in for a worker that is starting. */
    boolean waiting(int env) {
        return lastWaiting[env];
    }
}
