package io.worldgate.gateway.run.internal.metrics;

import java.io.Flushable;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that flushes open metric files every second, so that a crashed process loses
 * at most the last second of metrics even when the run logs nothing more after a burst.
 */
final class BackgroundFlush {
    static final long PERIOD_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundFlush.class);
    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "worldgate-metrics-flush");
        t.setDaemon(true);
        return t;
    });

    private BackgroundFlush() {}

    /** Flushes {@code target} every second until the returned handle is cancelled. */
    static ScheduledFuture<?> every(Flushable target, String what) {
        return SCHEDULER.scheduleWithFixedDelay(() -> {
            try {
                target.flush();
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not flush {}: {}", what, e.toString());
            }
        }, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }
}
