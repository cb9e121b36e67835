package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.proto.env.v1.ShmLayout;
import io.worldgate.proto.env.v1.ShmRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The read side of a worker's shared-memory observation file, mapped with a
 * {@link MappedByteBuffer}. Layout (see {@code env_bridge.proto}): a 64-byte little-endian header
 * (magic {@code WGENVSHM}, version 1, header size, K, slots, slot bytes, generation and slot of the
 * last write, region count), then the slots, each holding one C-order region {@code [K, *shape]}
 * per observation.
 */
final class ShmReader {
    static final byte[] MAGIC = "WGENVSHM".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 64;
    private static final int GENERATION_OFFSET = 32;
    private static final int SLOT_OFFSET = 40;

    private final ShmLayout layout;
    private final MappedByteBuffer map;
    private final long[] regionOffsets;
    private final int[] regionLengths;

    ShmReader(ShmLayout layout, int numEnvs) throws IOException {
        this.layout = layout;
        Path path = Path.of(layout.getPath());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < layout.getFileSize()) {
                throw new IOException(path + " holds " + size + " bytes, the layout says " + layout.getFileSize());
            }
            if (layout.getFileSize() > Integer.MAX_VALUE) {
                throw new IOException(path + " is larger than 2 GiB; use fewer envs per worker");
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, layout.getFileSize());
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        map.get(0, magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException(path + " is not a worldgate shm file (magic " + new String(magic, StandardCharsets.US_ASCII) + ")");
        }
        int version = map.getInt(8);
        int header = map.getInt(12);
        int k = map.getInt(16);
        int slots = map.getInt(20);
        long slotBytes = map.getLong(24);
        int regions = map.getInt(44);
        if (version != 1 || header != HEADER_BYTES) {
            throw new IOException(path + ": shm layout version " + version + " with a " + header
                    + "-byte header; this gateway reads version 1 with 64 bytes");
        }
        if (k != numEnvs || slots != layout.getNumSlots() || slotBytes != layout.getSlotBytes()
                || regions != layout.getRegionsCount()) {
            throw new IOException(path + ": the header (K=" + k + ", slots=" + slots + ", slot_bytes=" + slotBytes + ", regions="
                    + regions + ") does not match Describe (K=" + numEnvs + ", slots=" + layout.getNumSlots() + ", slot_bytes="
                    + layout.getSlotBytes() + ", regions=" + layout.getRegionsCount() + ")");
        }
        regionOffsets = new long[regions];
        regionLengths = new int[regions];
        for (int i = 0; i < regions; i++) {
            ShmRegion r = layout.getRegions(i);
            regionOffsets[i] = r.getOffset();
            regionLengths[i] = Math.toIntExact(r.getLength());
            long end = r.getOffset() + r.getLength() + (slots - 1) * slotBytes;
            if (end > layout.getFileSize()) {
                throw new IOException(path + ": region " + r.getName() + " ends past the file");
            }
        }
    }

    /** The path of the file. */
    String path() {
        return layout.getPath();
    }

    /** The generation of the last completed write. */
    long generation() {
        return map.getLong(GENERATION_OFFSET);
    }

    /** Checks that {@code slot} holds the write of {@code generation} (or a later one). */
    void check(int slot, long generation) {
        if (slot < 0 || slot >= layout.getNumSlots()) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "shm slot " + slot + " is outside [0, " + layout.getNumSlots() + ")");
        }
        long g = generation();
        if (g < generation) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the shm file " + layout.getPath() + " is at generation " + g
                    + ", older than the response's " + generation);
        }
        if (g == generation && map.getInt(SLOT_OFFSET) != slot) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the shm header names slot " + map.getInt(SLOT_OFFSET)
                    + " for generation " + g + ", the response slot " + slot);
        }
    }

    /** Length in bytes of region {@code region} ({@code K * prod(shape) * itemsize}). */
    int regionLength(int region) {
        return regionLengths[region];
    }

    /** Copies {@code length} bytes of {@code region} in {@code slot}, from byte {@code from}, into {@code target} at {@code at}. */
    void copy(int slot, int region, int from, ByteBuffer target, int at, int length) {
        int src = Math.toIntExact(regionOffsets[region] + slot * layout.getSlotBytes() + from);
        target.put(at, map, src, length);
    }
}
