package io.worldgate.gateway.bridge.internal.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.bridge.EnvException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Python worker process started by this JVM: {@code python -m worldgate_envs <command> ...
 * --exit-with-parent}, in a process group of its own (via {@code setsid}). Reads the handshake line
 * from stdout with a deadline, drains stderr to SLF4J (keeping the last 100 lines for error
 * messages), and on close ends the whole group: SIGTERM, then SIGKILL.
 *
 * <p>Processes are started from one long-lived thread: a worker's parent-death signal fires when
 * the <em>thread</em> that forked it ends, so a short-lived thread must not start workers.
 */
public final class WorkerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);
    private static final Logger WORKER_LOG = LoggerFactory.getLogger("io.worldgate.gateway.bridge.worker");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HANDSHAKE_PREFIX = "WORLDGATE_WORKER ";
    private static final ExecutorService LAUNCHER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worldgate-worker-launcher");
        t.setDaemon(true);
        return t;
    });

    /** What the worker announced on stdout. */
    public record Handshake(int protocol, String address, long pid, List<String> capabilities, String transport) {}

    private final Process process;
    private final String label;
    private final Path python;
    private final StderrTail stderr = new StderrTail(100);
    private final CompletableFuture<Handshake> announced = new CompletableFuture<>();
    private final List<Path> ownedFiles;
    private final Thread stderrReader;
    private volatile boolean ownsGroup;
    private volatile boolean closed;
    private Handshake handshake;

    private WorkerProcess(Process process, String label, Path python, List<Path> ownedFiles) {
        this.process = process;
        this.label = label;
        this.python = python;
        this.ownedFiles = List.copyOf(ownedFiles);
        this.stderrReader = daemon(() -> drainStderr(process.getErrorStream()), "worldgate-worker-stderr-" + process.pid());
        daemon(() -> readStdout(process.getInputStream()), "worldgate-worker-stdout-" + process.pid()).start();
        stderrReader.start();
    }

    /**
     * Starts {@code python -m worldgate_envs <args>} and waits for its handshake line.
     *
     * @param label what the worker serves, for messages (e.g. {@code gym:CartPole-v1 worker 0})
     * @param ownedFiles files the worker creates that must be removed if it dies without cleaning up
     * @throws EnvException if the process cannot start, exits, or stays silent past the deadline;
     *     the message carries the cause from its stderr
     */
    public static WorkerProcess start(Path python, List<String> args, Map<String, String> environment, String label,
            Duration startTimeout, List<Path> ownedFiles) {
        if (ProcessGroups.shuttingDown()) {
            throw new EnvException("not starting the env worker for " + label + ": the gateway is shutting down");
        }
        List<String> command = new ArrayList<>();
        ProcessGroups.setsid().ifPresent(p -> command.add(p.toString()));
        command.add(python.toString());
        command.add("-u");
        command.add("-m");
        command.add("worldgate_envs");
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        // the gateway's bearer token, if the user gave it through the environment: a simulator has no use for it
        pb.environment().remove("WORLDGATE_TOKEN");
        pb.environment().put("PYTHONUNBUFFERED", "1");
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = LAUNCHER.submit(pb::start).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new EnvException("cannot start the env worker for " + label + " with " + python + ": " + c.getMessage()
                    + "; " + PythonLocator.INSTALL_HINT, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvException("interrupted while starting the env worker for " + label, e);
        }
        WorkerProcess w = new WorkerProcess(p, label, python, ownedFiles);
        ProcessGroups.register(w);
        LOG.debug("started {} as pid {}: {}", label, p.pid(), String.join(" ", command));
        try {
            w.awaitHandshake(startTimeout);
        } catch (RuntimeException e) {
            w.kill();
            throw e;
        }
        return w;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void readStdout(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!announced.isDone() && line.startsWith(HANDSHAKE_PREFIX)) {
                    try {
                        announced.complete(parseHandshake(line.substring(HANDSHAKE_PREFIX.length())));
                    } catch (RuntimeException e) {
                        announced.completeExceptionally(e);
                    }
                } else {
                    WORKER_LOG.info("[{} stdout] {}", process.pid(), line);
                }
            }
        } catch (IOException e) {
            LOG.debug("stdout of worker {} closed: {}", process.pid(), e.toString());
        }
        announced.completeExceptionally(new IllegalStateException("the worker closed its stdout without a handshake line"));
    }

    private void drainStderr(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                stderr.add(line);
                if (line.contains(" ERROR ") || line.startsWith("Traceback") || line.startsWith("worldgate-worker:")) {
                    WORKER_LOG.warn("[{}] {}", process.pid(), line);
                } else {
                    WORKER_LOG.info("[{}] {}", process.pid(), line);
                }
            }
        } catch (IOException e) {
            LOG.debug("stderr of worker {} closed: {}", process.pid(), e.toString());
        }
    }

    static Handshake parseHandshake(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            List<String> caps = new ArrayList<>();
            n.path("capabilities").forEach(c -> caps.add(c.asText()));
            if (!n.hasNonNull("address") || !n.hasNonNull("protocol")) {
                throw new IllegalArgumentException("the handshake line lacks address or protocol: " + json);
            }
            return new Handshake(n.get("protocol").asInt(), n.get("address").asText(), n.path("pid").asLong(-1), caps,
                    n.path("transport").asText("grpc"));
        } catch (IOException e) {
            throw new IllegalArgumentException("the handshake line is not JSON: " + json, e);
        }
    }

    private void awaitHandshake(Duration timeout) {
        try {
            handshake = announced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ownsGroup = ProcessGroups.leadsGroup(process.pid());
        } catch (TimeoutException e) {
            kill();
            throw new EnvException("the env worker for " + label + " did not announce itself within " + seconds(timeout)
                    + " (pid " + process.pid() + ", killed)" + stderrSuffix(30));
        } catch (ExecutionException e) {
            String reason = exitReason();
            throw new EnvException("cannot start the env worker for " + label + ": " + reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvException("interrupted while waiting for the env worker for " + label, e);
        }
    }

    /** Why the process ended before its handshake, from its exit status and stderr. */
    private String exitReason() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            stderrReader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String status = process.isAlive() ? "the worker closed its stdout" : "the worker exited with status " + process.exitValue();
        List<String> lines = stderr.lines();
        String all = String.join("\n", lines);
        if (all.contains("No module named 'worldgate_envs'") || all.contains("No module named worldgate_envs")) {
            return "the Python at " + python + " does not have the worldgate_envs package (env-bridge-python); "
                    + PythonLocator.INSTALL_HINT + " (" + status + ")";
        }
        List<String> primary = lines.stream()
                .filter(l -> l.startsWith("worldgate-worker:") || l.startsWith("error:"))
                .map(l -> l.startsWith("worldgate-worker:") ? l.substring("worldgate-worker:".length()).trim() : l)
                .map(l -> l.startsWith("cannot start ") && l.indexOf(": ") > 0 ? l.substring(l.indexOf(": ") + 2) : l)
                .collect(Collectors.toList());
        if (!primary.isEmpty()) {
            return String.join("; ", primary) + " (" + status + ")";
        }
        return status + stderrSuffix(30);
    }

    /** {@code "; stderr:\n<last lines>"} or an empty string. */
    String stderrSuffix(int maxLines) {
        String text = stderr.text(maxLines);
        return text.isEmpty() ? "" : "; its last stderr lines:\n" + text.indent(4).stripTrailing();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }

    public long pid() {
        return process.pid();
    }

    public String label() {
        return label;
    }

    /** The handshake line's contents. */
    public Handshake handshake() {
        return handshake;
    }

    /** Whether the process leads its own process group, so that the group can be signalled. */
    boolean ownsGroup() {
        return ownsGroup;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the worker's stderr. */
    public String stderrText(int maxLines) {
        return stderr.text(maxLines);
    }

    /** Kills the worker's process group at once (SIGKILL), e.g. after it hung. */
    public void kill() {
        ProcessGroups.signal(process.pid(), ownsGroup, "KILL");
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish();
    }

    /** Asks the worker's group to stop (SIGTERM) without waiting; {@link #close} waits. */
    void terminate() {
        if (process.isAlive()) {
            ProcessGroups.signal(process.pid(), ownsGroup, "TERM");
        }
    }

    /** SIGTERM to the group, up to {@code grace} to exit, then SIGKILL. */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        terminate();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("env worker {} (pid {}) did not exit within {} of SIGTERM; killing it", label, pid(), seconds(grace));
                ProcessGroups.signal(process.pid(), ownsGroup, "KILL");
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            } else if (ownsGroup) {
                // The leader is gone; make sure nothing it started lingers in its group.
                ProcessGroups.signal(process.pid(), true, "KILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finish();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(3));
    }

    private void finish() {
        closed = true;
        ProcessGroups.unregister(this);
        cleanupFiles();
    }

    /** Removes the files the worker would have removed on a clean exit. */
    void cleanupFiles() {
        if (process.isAlive()) {
            return;
        }
        for (Path f : ownedFiles) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", f, e.toString());
            }
        }
    }

    /** The exit status, or -1 while running. */
    public int exitStatus() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public String toString() {
        return label + " (pid " + pid() + ")";
    }
}
