package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr (steps, steps/s, ETA, last return, agent), with run events printed above it. */
public final class ProgressView implements RunListener, AutoCloseable {
    private final ProgressBar bar;
    private final PrintStream err = System.err;
    private final boolean interactive;

    public ProgressView(String title, long totalSteps) {
        this(title, totalSteps, " steps");
    }

    /** A bar counting {@code total} of {@code unit} (such as {@code " updates"}). */
    public ProgressView(String title, long total, String unit) {
        this.bar = new ProgressBarBuilder()
                .setTaskName(title)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(unit, 1)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setMaxRenderedLength(110)
                .setConsumer(System.console() != null
                        ? new ConsoleProgressBarConsumer(System.err, 110)
                        : new DelegatingProgressBarConsumer(new ThrottledLines(), 110))
                .build();
        this.interactive = System.console() != null;
    }

    /** Without a terminal (CI logs, pipes): one plain line every few seconds instead of a redrawn bar. */
    private static final class ThrottledLines implements Consumer<String> {
        private static final long INTERVAL_NANOS = 5_000_000_000L;
        private long last;
        private String previous = "";

        @Override
        public void accept(String line) {
            long now = System.nanoTime();
            boolean done = line.contains("100%");
            if ((now - last > INTERVAL_NANOS || done) && !line.equals(previous)) {
                System.err.println(line.strip());
                last = now;
                previous = line;
            }
        }
    }

    @Override
    public synchronized void onProgress(RunStatus s) {
        bar.stepTo(Math.min(s.step(), s.totalSteps()));
        String ret = Double.isNaN(s.lastReturn()) ? "-" : String.format("%.1f", s.lastReturn());
        bar.setExtraMessage(switch (s.state()) {
            case PAUSED -> " PAUSED";
            default -> " return " + ret + (s.agent() == null ? "" : " | " + s.agent());
        });
    }

    @Override
    public synchronized void onEvent(RunStatus s, String event) {
        if (interactive) {
            // Start at column 0 and clear the bar's line, so events read as a log above the bar.
            err.print("\r" + " ".repeat(110) + "\r");
        }
        err.println("[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " step " + s.step() + "] " + event);
        err.flush();
    }

    @Override
    public synchronized void close() {
        bar.close();
    }
}
