package io.worldgate.gateway.run.internal.experience;

import java.util.Arrays;

/**
 * Sealed chunks in the order they were sealed (oldest first, the order they are dropped in), with
 * running step totals so that the chunk holding the k-th stored step is found by binary search.
 */
final class ChunkQueue {
    private Chunk[] chunks = new Chunk[64];
    /** {@code ends[i]}: steps in all chunks ever added up to and including slot i. */
    private long[] ends = new long[64];
    private int head;
    private int tail;
    /** Steps in chunks removed from the head (the running total before {@code head}). */
    private long removed;

    void add(Chunk c) {
        if (tail == chunks.length) {
            if (head > chunks.length / 2) {
                compact();
            } else {
                chunks = Arrays.copyOf(chunks, chunks.length * 2);
                ends = Arrays.copyOf(ends, ends.length * 2);
            }
        }
        long before = tail == head ? removed : ends[tail - 1];
        chunks[tail] = c;
        ends[tail] = before + c.count;
        tail++;
    }

    Chunk first() {
        return head == tail ? null : chunks[head];
    }

    Chunk removeFirst() {
        Chunk c = chunks[head];
        chunks[head] = null;
        removed = ends[head];
        head++;
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return c;
    }

    int size() {
        return tail - head;
    }

    Chunk get(int i) {
        return chunks[head + i];
    }

    long steps() {
        return head == tail ? 0 : ends[tail - 1] - removed;
    }

    /** Index (from the head) of the chunk holding stored step {@code k}, {@code 0 <= k < steps()}. */
    int find(long k) {
        long target = removed + k;
        int lo = head;
        int hi = tail - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - head;
    }

    /** Offset of stored step {@code k} within chunk {@code index} (as returned by {@link #find}). */
    int offsetIn(int index, long k) {
        long start = ends[head + index] - chunks[head + index].count;
        return (int) (removed + k - start);
    }

    private void compact() {
        int n = tail - head;
        System.arraycopy(chunks, head, chunks, 0, n);
        System.arraycopy(ends, head, ends, 0, n);
        Arrays.fill(chunks, n, chunks.length, null);
        head = 0;
        tail = n;
    }
}
