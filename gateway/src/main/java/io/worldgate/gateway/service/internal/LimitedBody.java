package io.worldgate.gateway.service.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that may be read up to a number of bytes: one more and reading throws
 * {@link TooLarge}. It counts what the parser reads, decompressed, so a gzip body that is small on
 * the wire cannot grow past its method's limit.
 */
final class LimitedBody extends FilterInputStream {
    /** Thrown on reading past the limit; unchecked, so the protobuf parser does not wrap it. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long limit) {
            super("the request body is larger than " + limit + " bytes", null, false, false);
        }
    }

    private final long limit;
    private long read;

    LimitedBody(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(long n) {
        read += n;
        if (read > limit) {
            throw new TooLarge(limit);
        }
    }
}
