package io.worldgate.gateway.bridge.internal.python;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals to worker process groups, and the JVM shutdown hook that ends every worker still
 * running. Only groups whose leader is a worker this JVM started are ever signalled: a worker is
 * started through {@code setsid}, so its pid is its process group id; when that is not so (no
 * {@code setsid}), only the process itself is signalled.
 */
public final class ProcessGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroups.class);
    private static final Path SETSID = findSetsid();
    private static final Set<WorkerProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;
    private static volatile boolean shuttingDown;

    private ProcessGroups() {}

    /** The {@code setsid} program, if this system has one. */
    static Optional<Path> setsid() {
        return Optional.ofNullable(SETSID);
    }

    private static Path findSetsid() {
        for (String p : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    /** Remembers a running worker for the shutdown hook. */
    static void register(WorkerProcess w) {
        installHook();
        LIVE.add(w);
    }

    static void unregister(WorkerProcess w) {
        LIVE.remove(w);
    }

    /** Workers started by this JVM that have not been closed yet. */
    public static Set<WorkerProcess> live() {
        return Set.copyOf(LIVE);
    }

    private static synchronized void installHook() {
        if (hookInstalled) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessGroups::killAll, "worldgate-worker-reaper"));
        hookInstalled = true;
    }

    /** Whether the JVM is shutting down (the reaper ran): no worker may start any more. */
    static boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * Makes the shutdown hook wait, at most {@code max}, for {@code done} before it ends the
     * workers: a command that stops its run at a step boundary on a signal still needs them for
     * the step in flight. Hooks run at the same time, in no order, so the wait is the only way to
     * put the reaper after it.
     */
    public static void holdReaperUntil(Future<?> done, Duration max) {
        reaperHold = new Hold(done, max);
    }

    private record Hold(Future<?> done, Duration max) {}

    private static volatile Hold reaperHold;

    /** Ends every live worker: SIGTERM to all, up to a second's grace, then SIGKILL. */
    static void killAll() {
        Hold hold = reaperHold;
        if (hold != null) {
            try {
                hold.done().get(hold.max().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("ending the env workers without waiting any longer for the command: {}", e.toString());
            }
        }
        shuttingDown = true;
        Set<WorkerProcess> all = live();
        if (all.isEmpty()) {
            return;
        }
        for (WorkerProcess w : all) {
            signal(w.pid(), w.ownsGroup(), "TERM");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (WorkerProcess w : all) {
            while (isRunning(w.pid()) && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (isRunning(w.pid())) {
                signal(w.pid(), w.ownsGroup(), "KILL");
            }
            w.cleanupFiles();
        }
        LIVE.clear();
    }

    /** Whether {@code pid} leads its own process group (true after setsid). */
    static boolean leadsGroup(long pid) {
        return processGroup(pid).map(g -> g == pid).orElse(false);
    }

    /** The process group of {@code pid}, from {@code /proc}. */
    static Optional<Long> processGroup(long pid) {
        String[] f = statFields(pid);
        if (f == null || f.length < 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code pid} exists and is not a zombie waiting to be reaped. */
    public static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        String[] f = statFields(pid);
        return f == null ? Files.isDirectory(Path.of("/proc/" + pid)) : !f[0].equals("Z") && !f[0].equals("X");
    }

    /** The fields of /proc/PID/stat after the command name: state, ppid, pgrp, ...; null if unreadable. */
    private static String[] statFields(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            int close = s.lastIndexOf(')');
            return close < 0 ? null : s.substring(close + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Sends {@code SIG<name>} to the process group led by {@code pid} when {@code group}, else to
     * the process alone.
     */
    static void signal(long pid, boolean group, String name) {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            return;
        }
        String target = group ? "-" + pid : Long.toString(pid);
        try {
            Process p = new ProcessBuilder("kill", "-s", name, "--", target)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // No kill(1): fall back to the JDK, which reaches the process alone.
            ProcessHandle.of(pid).ifPresent(h -> {
                if (name.equals("KILL")) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("sent SIG{} to {} {}", name, group ? "process group" : "process", pid);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
