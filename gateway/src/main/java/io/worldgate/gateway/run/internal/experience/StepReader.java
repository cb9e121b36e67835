package io.worldgate.gateway.run.internal.experience;

import io.worldgate.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Reads stored steps out of chunks (staging buffers or mapped files): copies runs of steps into
 * batch tensors, reads flags and ticks, and says whether a slice stays inside one episode.
 */
final class StepReader {
    /** Where {@link #copy} writes: buffers of {@code [rows, ...]} tensors by column, and the flag tensors (or null). */
    record Target(int[] columns, ByteBuffer[] buffers, Tensor isFirst, Tensor isTerminal, Tensor mask) {}

    /** A stored step: step {@code t} of {@code chunk}. */
    record StepRef(Chunk chunk, int t) {}

    private final StepLayout layout;
    private final MappedChunks maps;

    StepReader(StepLayout layout, MappedChunks maps) {
        this.layout = layout;
        this.maps = maps;
    }

    /** A target for the named observations, and the action and reward unless {@code actions} is null. */
    Target target(Map<String, Tensor> obs, Tensor actions, Tensor rewards, Tensor isFirst, Tensor isTerminal, Tensor mask) {
        int n = obs.size() + (actions == null ? 0 : 2);
        int[] columns = new int[n];
        ByteBuffer[] buffers = new ByteBuffer[n];
        int k = 0;
        for (Map.Entry<String, Tensor> e : obs.entrySet()) {
            columns[k] = layout.observationColumns().get(e.getKey());
            buffers[k++] = e.getValue().buffer();
        }
        if (actions != null) {
            columns[k] = layout.actionColumn();
            buffers[k++] = actions.buffer();
            columns[k] = layout.rewardColumn();
            buffers[k] = rewards.buffer();
        }
        return new Target(columns, buffers, isFirst, isTerminal, mask);
    }

    /**
     * Copies up to {@code length} consecutive steps of one environment, from step {@code t} of
     * chunk {@code c} on, into rows {@code row..row+length-1} of the target; rows past the stored
     * steps (or, with {@code stopAtNextEpisode}, from the next episode's first step on) are left
     * zero (mask 0).
     */
    void copy(Chunk c, int t, int row, int length, Target target, boolean stopAtNextEpisode) {
        int done = 0;
        while (done < length && c != null) {
            if (t >= c.count) {
                c = c.next;
                t = 0;
                continue;
            }
            int k = Math.min(length - done, c.count - t);
            ByteBuffer data = maps.data(c);
            int flagsAt = (int) offset(c, layout.flagsColumn(), t);
            if (stopAtNextEpisode) {
                for (int j = 0; j < k; j++) {
                    if (done + j > 0 && isFirst(c, data, flagsAt, t, j)) {
                        k = j;
                        length = done + j; // stop here
                        break;
                    }
                }
            }
            int r = row + done;
            for (int j = 0; j < target.columns().length; j++) {
                int col = target.columns()[j];
                int bytes = layout.column(col).stepBytes();
                target.buffers()[j].put(r * bytes, data, (int) offset(c, col, t), k * bytes);
            }
            if (target.mask() != null) {
                for (int j = 0; j < k; j++) {
                    target.isFirst().setFloat(r + j, isFirst(c, data, flagsAt, t, j) ? 1 : 0);
                    target.isTerminal().setFloat(r + j, (data.get(flagsAt + j) & StepLayout.TERMINAL) != 0 ? 1 : 0);
                    target.mask().setFloat(r + j, 1);
                }
            }
            done += k;
            t += k;
        }
    }

    /**
     * Whether {@code length} steps from step {@code t} of {@code c} on are stored and belong to
     * one episode: none after the first is an episode's first step.
     */
    boolean fitsInEpisode(Chunk c, int t, int length) {
        int seen = 0;
        while (seen < length) {
            if (c == null) {
                return false;
            }
            if (t >= c.count) {
                c = c.next;
                t = 0;
                continue;
            }
            ByteBuffer data = maps.data(c);
            int flagsAt = (int) offset(c, layout.flagsColumn(), t);
            int k = Math.min(length - seen, c.count - t);
            for (int j = 0; j < k; j++) {
                if (seen + j > 0 && isFirst(c, data, flagsAt, t, j)) {
                    return false;
                }
            }
            seen += k;
            t += k;
        }
        return true;
    }

    /** The step of chunk {@code c} appended at {@code tick}, or -1 (ticks rise within a chunk). */
    int stepAtTick(Chunk c, long tick) {
        ByteBuffer data = maps.data(c);
        int ticksAt = (int) offset(c, layout.tickColumn(), 0);
        int lo = 0;
        int hi = c.count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = data.getLong(ticksAt + 8 * mid);
            if (at < tick) {
                lo = mid + 1;
            } else if (at > tick) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** A read-only view of {@code steps} steps of one column from step {@code t} of {@code c}, as a tensor {@code [steps, ...]}. */
    Tensor view(Chunk c, int column, int t, int steps) {
        StepLayout.Column col = layout.column(column);
        ByteBuffer data = maps.data(c);
        if (!c.isStaging()) {
            c.exposed = true;
        }
        ByteBuffer slice = data.slice((int) offset(c, column, t), steps * col.stepBytes()).asReadOnlyBuffer();
        int[] shape = new int[col.shape().length + 1];
        shape[0] = steps;
        System.arraycopy(col.shape(), 0, shape, 1, col.shape().length);
        return Tensor.wrap(slice, col.dtype(), shape);
    }

    long offset(Chunk c, int column, int step) {
        return c.offsets[column] + (long) step * layout.column(column).stepBytes();
    }

    /** Whether step {@code t + j} of {@code c} is read as an episode's first step (its flag, or a gap before the chunk). */
    private static boolean isFirst(Chunk c, ByteBuffer data, int flagsAt, int t, int j) {
        return (data.get(flagsAt + j) & StepLayout.FIRST) != 0 || (t + j == 0 && c.gapBefore);
    }
}
