package io.worldgate.gateway.run.internal.experience;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/** The stored steps of one environment: its sealed chunks in stream order, then its staging chunk. */
final class EnvStream {
    final int env;
    /** Sealed chunks still stored, from {@code head} on, in stream order. */
    final ArrayList<Chunk> chunks = new ArrayList<>();
    int head;
    Chunk staging;
    /** The direct buffer the staging chunks of this environment are written in, reused. */
    ByteBuffer buffer;
    /** Stream position of the next step appended. */
    long nextPos;
    /** Whether a step was appended since the store was opened, and whether it ended an episode. */
    boolean appended;
    boolean lastEnded;

    EnvStream(int env) {
        this.env = env;
    }

    Chunk oldest() {
        return head < chunks.size() ? chunks.get(head) : staging;
    }

    Chunk newest() {
        return staging != null ? staging : head < chunks.size() ? chunks.get(chunks.size() - 1) : null;
    }

    long retainedStart() {
        Chunk c = oldest();
        return c == null ? nextPos : c.streamStart;
    }

    void dropHead(Chunk expected) {
        if (chunks.get(head) != expected) {
            throw new IllegalStateException("chunks of environment " + env + " out of order");
        }
        chunks.set(head++, null);
        if (head > 256 && head > chunks.size() / 2) {
            chunks.subList(0, head).clear();
            head = 0;
        }
    }

    /** The chunk holding stream position {@code pos}, or null. */
    Chunk find(long pos) {
        if (staging != null && pos >= staging.streamStart) {
            return pos < staging.streamEnd() ? staging : null;
        }
        int lo = head;
        int hi = chunks.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Chunk c = chunks.get(mid);
            if (pos < c.streamStart) {
                hi = mid - 1;
            } else if (pos >= c.streamEnd()) {
                lo = mid + 1;
            } else {
                return c;
            }
        }
        return null;
    }

    /** The chunk whose steps' append ticks span {@code tick}, or null (ticks rise along a stream). */
    Chunk findByTick(long tick) {
        if (staging != null && staging.count > 0 && tick >= staging.firstTick) {
            return tick <= staging.lastTick ? staging : null;
        }
        int lo = head;
        int hi = chunks.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Chunk c = chunks.get(mid);
            if (tick < c.firstTick) {
                hi = mid - 1;
            } else if (tick > c.lastTick) {
                lo = mid + 1;
            } else {
                return c;
            }
        }
        return null;
    }
}
