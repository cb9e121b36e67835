package io.worldgate.gateway.service.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs requests refused as bad input: one short WARN line per interval at most, no stack trace,
 * counting the ones it left out. A client sending garbage fills no disk.
 */
final class BadInputLog {
    private static final Logger LOG = LoggerFactory.getLogger(BadInputLog.class);
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_LINE_CHARS = 200;

    private final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    void refused(String method, String why) {
        long now = System.nanoTime();
        long next = nextLogAt.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !nextLogAt.compareAndSet(next, now + INTERVAL_NANOS)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        String reason = why == null ? "" : why.length() > MAX_LINE_CHARS ? why.substring(0, MAX_LINE_CHARS) + "…" : why;
        // The reason may quote the client's input: no control characters reach the log (no forged lines).
        LOG.warn("refused a bad {} request: {}{}", method, reason.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append),
                left == 0 ? "" : " (and " + left + " other bad requests not logged)");
    }
}
