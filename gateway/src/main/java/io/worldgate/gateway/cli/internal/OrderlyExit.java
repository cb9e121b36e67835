package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.bridge.WorkerReaper;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The command line's one JVM shutdown hook. On SIGTERM or Ctrl-C it runs what the command set
 * with {@link #onSignal}, then, if the command asked for it, holds the JVM until the command has
 * finished its own way (a run stopped at a step boundary and checkpointed, its learning curve and
 * summary written, the gateway closed), for at most {@link #WIND_DOWN}.
 *
 * <p>Nothing is added to or removed from the JVM's hooks once it shuts down (it refuses with
 * "Shutdown in progress"): {@link #close} counts the command as finished and removes the hook only
 * while the JVM is not going down.
 */
public final class OrderlyExit implements AutoCloseable {
    /** The longest a signal waits for the command; a run's stop alone may take up to a minute. */
    static final Duration WIND_DOWN = Duration.ofSeconds(90);

    private final CountDownLatch finished = new CountDownLatch(1);
    /** Done when the env workers may go: the command finished, or a signal found nothing to wait for. */
    private final CompletableFuture<Void> workersReleased = new CompletableFuture<>();
    private final Thread hook = new Thread(this::signalled, "worldgate-orderly-exit");
    private volatile Runnable action;
    private volatile boolean waitForCommand;

    private OrderlyExit() {}

    /** Installs the hook; close it when the command has returned. */
    public static OrderlyExit install() {
        OrderlyExit exit = new OrderlyExit();
        Runtime.getRuntime().addShutdownHook(exit.hook);
        // the worker reaper, another hook, must not end the workers under the run's last step
        WorkerReaper.holdUntil(exit.workersReleased, WIND_DOWN.plusSeconds(5));
        return exit;
    }

    /**
     * What a signal does from now on: {@code action} runs on the hook's thread; with
     * {@code waitForCommand} the JVM then waits for the command to return. A null action does nothing.
     */
    public void onSignal(Runnable action, boolean waitForCommand) {
        this.action = action;
        this.waitForCommand = waitForCommand;
    }

    private void signalled() {
        try {
            windDown();
        } finally {
            workersReleased.complete(null);
        }
    }

    private void windDown() {
        Runnable a = action;
        if (a == null) {
            return;
        }
        long deadline = System.nanoTime() + WIND_DOWN.toNanos();
        try {
            a.run();
        } catch (RuntimeException e) {
            System.err.println("[worldgate] stopping on signal failed: " + e);
        }
        if (!waitForCommand) {
            return;
        }
        try {
            if (!finished.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                System.err.println("[worldgate] the command did not finish within " + WIND_DOWN.toSeconds() + " s of the signal; exiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command has finished: a signal being handled lets the JVM go. */
    @Override
    public void close() {
        action = null;
        finished.countDown();
        workersReleased.complete(null);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is going down: the hook runs (or ran) and has just been released above.
        }
    }
}
