package io.worldgate.gateway.service.internal;

import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a run's status.json current: at every event (checkpoints, swaps, pauses) and at the end. */
public final class StatusFileWriter implements RunListener {
    private static final Logger LOG = LoggerFactory.getLogger(StatusFileWriter.class);
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;
    private final RunDirectory dir;
    private long lastWrite;
    private String lastEvent = "";

    public StatusFileWriter(RunConfig config) {
        this.dir = new RunDirectory(config.runDirectory());
    }

    @Override
    public synchronized void onEvent(RunStatus s, String event) {
        lastEvent = event;
        write(s);
    }

    /** Also while nothing happens but steps, so a crash leaves a recent step count behind. */
    @Override
    public synchronized void onProgress(RunStatus s) {
        if (System.nanoTime() - lastWrite > PROGRESS_EVERY_NANOS || s.state().isTerminal()) {
            write(s);
        }
    }

    private void write(RunStatus s) {
        lastWrite = System.nanoTime();
        try {
            dir.writeStatus(s, lastEvent);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", dir.statusFile(), e.toString());
        }
    }
}
