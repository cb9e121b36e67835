package io.worldgate.gateway.run.internal.experience;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The file format of one chunk: a 128-byte header, then one column per step field (see
 * {@link StepLayout}), each holding that field for all the chunk's steps back to back, each
 * column starting at a multiple of 64 bytes from the file start (zero padding between).
 *
 * <pre>
 * offset size  header field (little endian)
 *   0     4    magic 0x58454757 ("WGEX" as bytes)
 *   4     4    format version (1)
 *   8     4    header size (128)
 *  12     4    byte order of the column data: 1 little endian, 2 big endian (the writer's native order)
 *  16     8    layout id: {@link StepLayout#hash()} of the columns
 *  24     8    chunk sequence number, unique in the store, increasing with time
 *  32     4    environment index
 *  36     4    number of steps in the chunk
 *  40     8    stream position of the first step (steps of one environment are numbered from 0)
 *  48     8    bytes of column data after the header (file size - 128)
 *  56     4    CRC-32C of the column data
 *  60    64    reserved, zero
 * 124     4    CRC-32C of header bytes 0..123
 * </pre>
 */
final class ChunkFormat {
    static final int MAGIC = 0x58454757;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 128;
    static final int ALIGN = 64;
    static final String SUFFIX = ".chunk";
    static final String PART_SUFFIX = ".part";
    static final String TORN_SUFFIX = ".torn";

    private ChunkFormat() {}

    /** A decoded header. */
    record Header(long layoutHash, long seq, int env, int count, long streamStart, long dataBytes, int dataCrc) {}

    /** A chunk that cannot be used, with the reason. */
    static final class InvalidChunkException extends Exception {
        InvalidChunkException(String message) {
            super(message);
        }
    }

    static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Start offsets of each column for {@code steps} steps, beginning at {@code base}; element
     * {@code numColumns} is the end of the last column.
     */
    static long[] columnOffsets(StepLayout layout, int steps, long base) {
        long[] offsets = new long[layout.numColumns() + 1];
        long at = base;
        for (int i = 0; i < layout.numColumns(); i++) {
            offsets[i] = at;
            at += align((long) steps * layout.column(i).stepBytes());
        }
        offsets[layout.numColumns()] = at;
        return offsets;
    }

    static long dataBytes(StepLayout layout, int steps) {
        long[] o = columnOffsets(layout, steps, 0);
        return o[o.length - 1];
    }

    static String fileName(long seq, int env) {
        return String.format("%012d-env%04d%s", seq, env, SUFFIX);
    }

    static ByteBuffer encodeHeader(Header h) {
        ByteBuffer b = ByteBuffer.allocateDirect(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(4, VERSION);
        b.putInt(8, HEADER_BYTES);
        b.putInt(12, ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 1 : 2);
        b.putLong(16, h.layoutHash());
        b.putLong(24, h.seq());
        b.putInt(32, h.env());
        b.putInt(36, h.count());
        b.putLong(40, h.streamStart());
        b.putLong(48, h.dataBytes());
        b.putInt(56, h.dataCrc());
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(HEADER_BYTES - 4));
        b.putInt(HEADER_BYTES - 4, (int) crc.getValue());
        return b.clear();
    }

    /** Decodes and checks a header against the store's layout and the file's size. */
    static Header decodeHeader(ByteBuffer raw, StepLayout layout, long fileSize) throws InvalidChunkException {
        if (fileSize < HEADER_BYTES || raw.remaining() < HEADER_BYTES) {
            throw new InvalidChunkException("file of " + fileSize + " bytes is shorter than a header");
        }
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = b.position();
        if (b.getInt(p) != MAGIC) {
            throw new InvalidChunkException("bad magic " + Integer.toHexString(b.getInt(p)));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(p).limit(p + HEADER_BYTES - 4));
        if ((int) crc.getValue() != b.getInt(p + HEADER_BYTES - 4)) {
            throw new InvalidChunkException("header checksum mismatch");
        }
        int version = b.getInt(p + 4);
        if (version != VERSION) {
            throw new InvalidChunkException("format version " + version + ", this gateway reads " + VERSION);
        }
        if (b.getInt(p + 8) != HEADER_BYTES) {
            throw new InvalidChunkException("header size " + b.getInt(p + 8));
        }
        int order = b.getInt(p + 12);
        if (order != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 1 : 2)) {
            throw new InvalidChunkException("written in another byte order");
        }
        Header h = new Header(b.getLong(p + 16), b.getLong(p + 24), b.getInt(p + 32), b.getInt(p + 36), b.getLong(p + 40),
                b.getLong(p + 48), b.getInt(p + 56));
        if (h.layoutHash() != layout.hash()) {
            throw new InvalidChunkException("written for another step layout");
        }
        if (h.count() <= 0 || h.env() < 0 || h.streamStart() < 0 || h.seq() < 0) {
            throw new InvalidChunkException("bad header values " + h);
        }
        long expected = dataBytes(layout, h.count());
        if (h.dataBytes() != expected) {
            throw new InvalidChunkException("header says " + h.dataBytes() + " data bytes, " + h.count() + " steps need "
                    + expected);
        }
        if (fileSize != HEADER_BYTES + expected) {
            throw new InvalidChunkException("file has " + fileSize + " bytes, expected " + (HEADER_BYTES + expected)
                    + " (torn write)");
        }
        return h;
    }

    /** CRC-32C of {@code length} bytes of {@code data} from {@code offset}. */
    static int crc(ByteBuffer data, long offset, long length) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate().clear().position((int) offset).limit((int) (offset + length)));
        return (int) crc.getValue();
    }
}
