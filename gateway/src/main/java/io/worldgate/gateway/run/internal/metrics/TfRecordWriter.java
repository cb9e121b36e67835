package io.worldgate.gateway.run.internal.metrics;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Frames records the way TFRecord files (and so TensorBoard event files) do: a little-endian
 * uint64 length, the masked CRC32C of those 8 bytes, the data, and the masked CRC32C of the data.
 * Not thread-safe.
 */
final class TfRecordWriter implements Closeable, Flushable {
    /** Added to the rotated CRC so that CRCs of data holding CRCs stay well distributed. */
    static final int MASK_DELTA = 0xa282ead8;

    private final OutputStream out;
    private final byte[] header = new byte[12];
    private final byte[] footer = new byte[4];

    TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes one record. */
    void write(byte[] data) throws IOException {
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(0, data.length);
        h.putInt(8, maskedCrc32c(header, 0, 8));
        ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).putInt(0, maskedCrc32c(data, 0, data.length));
        out.write(header);
        out.write(data);
        out.write(footer);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** CRC32C (Castagnoli) of the bytes, masked: rotated right by 15 bits plus {@link #MASK_DELTA}. */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return mask((int) crc.getValue());
    }

    static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + MASK_DELTA;
    }
}
