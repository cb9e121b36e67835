package io.worldgate.gateway.run.internal.experience;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * Where the stored episodes begin and end: fed each step's boundary flags in stream order, it
 * keeps the whole finished episodes, in the order they finished. Appending and reopening both
 * feed it, so the two read the boundaries the same way.
 */
final class EpisodeIndex {
    /**
     * A finished episode stored whole.
     *
     * @param env environment
     * @param start stream position of its first step
     * @param length steps
     * @param id episode id
     * @param terminated whether it ended in a terminal state (else it was truncated)
     * @param endTick append tick of its last step
     */
    record Finished(int env, long start, int length, long id, boolean terminated, long endTick) {}

    private final int maxIndexed;
    private final ArrayDeque<Finished> finished = new ArrayDeque<>();
    /** False while reopening, until {@link #sortByEnd} has put the episodes in order. */
    private boolean bounded;
    /** Per environment, the open episode: its start (-1 if none), whether it is whole, its id. */
    private long[] starts = new long[0];
    private boolean[] whole = new boolean[0];
    private long[] ids = new long[0];

    /** Keeps at most {@code maxIndexed} finished episodes, dropping the oldest (they are still sampled). */
    EpisodeIndex(int maxIndexed) {
        this.maxIndexed = maxIndexed;
    }

    /**
     * One step of environment {@code env} at stream position {@code pos}.
     *
     * @param first whether an episode (or a fragment of one) begins here
     * @param fragment whether what begins here is a fragment, its start lost
     * @param last whether the episode ended here
     */
    void step(int env, long pos, boolean first, boolean fragment, boolean last, boolean terminal, long id, long tick) {
        if (env >= starts.length) {
            int n = env + 1;
            int old = starts.length;
            starts = Arrays.copyOf(starts, n);
            Arrays.fill(starts, old, n, -1);
            whole = Arrays.copyOf(whole, n);
            ids = Arrays.copyOf(ids, n);
        }
        if (first) {
            starts[env] = pos;
            whole[env] = !fragment;
            ids[env] = id;
        }
        if (last) {
            if (whole[env] && starts[env] >= 0) {
                finished.add(new Finished(env, starts[env], (int) (pos - starts[env] + 1), ids[env], terminal, tick));
                if (bounded && finished.size() > maxIndexed) {
                    finished.removeFirst();
                }
            }
            starts[env] = -1;
        }
    }

    /**
     * Ends reopening, which feeds one environment after another: puts the episodes in the order
     * they finished and keeps the latest {@code maxIndexed}.
     */
    void sortByEnd() {
        List<Finished> all = new ArrayList<>(finished);
        all.sort(Comparator.comparingLong(Finished::endTick));
        finished.clear();
        finished.addAll(all.subList(Math.max(0, all.size() - maxIndexed), all.size()));
        bounded = true;
    }

    int size() {
        return finished.size();
    }

    /** Forgets the episodes whose first step is no longer stored. */
    void dropBefore(IntToLongFunction retainedStart) {
        while (!finished.isEmpty() && finished.peekFirst().start() < retainedStart.applyAsLong(finished.peekFirst().env())) {
            finished.removeFirst();
        }
    }

    /** The latest {@code max} episodes whose steps are all stored, oldest first. */
    List<Finished> recent(int max, IntToLongFunction retainedStart) {
        List<Finished> picked = new ArrayList<>();
        for (Iterator<Finished> it = finished.descendingIterator(); it.hasNext() && picked.size() < max;) {
            Finished f = it.next();
            if (f.start() >= retainedStart.applyAsLong(f.env())) {
                picked.add(f);
            }
        }
        Collections.reverse(picked);
        return picked;
    }
}
