package io.worldgate.gateway.run.internal.experience;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Consecutive steps of one environment. While the store appends to it, a chunk lives in a direct
 * staging buffer (columns laid out for the full chunk size); once full it is written to its file
 * and from then on read through a read-only mapping of that file.
 */
final class Chunk {
    final int env;
    final long seq;
    /** Stream position (per-environment step number) of the first step. */
    final long streamStart;
    final Path file;

    /** Steps held. */
    int count;
    /** Steps already written to the file while still staging (by a flush); 0 if none. */
    int flushedCount;
    /** Direct buffer with the columns of a chunk being appended to; null once sealed. */
    ByteBuffer staging;
    /** Column start offsets within {@link #staging} or within the file, whichever is current. */
    long[] offsets;
    /** Size of the file once sealed. */
    long fileBytes;
    /** The file's mapping while it is mapped (see {@link MappedChunks}); null otherwise. */
    ByteBuffer mapped;
    /**
     * The previous chunk of this environment did not end where this one starts (a torn chunk was
     * dropped): its first step is read as the first step of an episode fragment.
     */
    boolean gapBefore;
    /** Steps read with {@code isFirst} set (counts episodes). */
    int firsts;
    /** Whether step 0 is read with {@code isFirst} set. */
    boolean startsWithFirst;
    /** Append ticks of the first and the last step held (-1 while empty). */
    long firstTick = -1;
    long lastTick = -1;
    /**
     * Whether a view of the current mapping was handed out ({@code forEachEpisode}): that mapping
     * is then left to the collector instead of unmapped at once, so a view read late never
     * faults; cleared when the mapping is dropped.
     */
    boolean exposed;
    /** The next chunk of the same environment, or null. */
    Chunk next;

    Chunk(int env, long seq, long streamStart, Path file) {
        this.env = env;
        this.seq = seq;
        this.streamStart = streamStart;
        this.file = file;
    }

    boolean isStaging() {
        return staging != null;
    }

    long streamEnd() {
        return streamStart + count;
    }

    @Override
    public String toString() {
        return file.getFileName() + "[" + count + " steps from " + streamStart + "]";
    }
}
