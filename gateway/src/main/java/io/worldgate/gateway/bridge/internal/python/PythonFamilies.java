package io.worldgate.gateway.bridge.internal.python;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The env families that the bridge's Python knows, as {@code python -m worldgate_envs list --json
 * --no-spec} prints them: its built-in families and those that installed distributions declare as
 * {@code worldgate_envs.families} entry points. The gateway holds no list of its own, so a family
 * added on the Python side needs no change here. Asked once per interpreter and worker environment
 * (a fraction of a second; no simulator is imported); installing a family takes a gateway restart.
 */
public final class PythonFamilies {
    private static final Logger LOG = LoggerFactory.getLogger(PythonFamilies.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Key, List<Listed>> CACHE = new ConcurrentHashMap<>();

    /** One entry of the Python side's list; {@code unavailable} is set for an entry point that gave no family. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Listed(String family, String description, LinkedHashMap<String, String> examples, String unavailable) {}

    private record Key(Path python, Map<String, String> environment) {}

    private PythonFamilies() {}

    /**
     * A factory for each usable family, in the Python side's order.
     *
     * @throws EnvException when there is no Python for the bridge or it cannot list its families
     */
    public static List<PythonEnvFactory> factories(BridgeConfig config) {
        Key key = new Key(PythonLocator.locate(config.python()), config.workerEnvironment());
        List<Listed> listed = CACHE.get(key);
        if (listed == null) {
            listed = ask(key, config);
            CACHE.putIfAbsent(key, listed); // a failure is not kept: the next call asks again
        }
        return listed.stream().filter(l -> l.unavailable() == null)
                .map(l -> new PythonEnvFactory(l.family(), l.examples(), config)).toList();
    }

    private static List<Listed> ask(Key key, BridgeConfig config) {
        ProcessBuilder pb = new ProcessBuilder(key.python().toString(), "-m", "worldgate_envs", "list", "--json", "--no-spec");
        pb.environment().putAll(key.environment());
        pb.environment().remove("WORLDGATE_TOKEN"); // as for workers: the Python side has no use for it
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new EnvException("cannot start " + key.python() + " to list the env families: " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            if (!p.waitFor(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new EnvException(key.python() + " -m worldgate_envs list did not answer within " + config.startTimeout());
            }
            String stderr = new String(err.join(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new EnvException(key.python() + " -m worldgate_envs list failed (exit " + p.exitValue() + "): "
                        + lastLines(stderr, 20) + "; " + PythonLocator.INSTALL_HINT);
            }
            List<Listed> listed = JSON.readValue(out.join(), new TypeReference<List<Listed>>() {});
            listed.stream().filter(l -> l.unavailable() != null).forEach(l -> LOG.warn(
                    "the Python env family '{}' is unusable: {} {}", l.family(), l.description(), l.unavailable()));
            return List.copyOf(listed);
        } catch (IOException e) {
            throw new EnvException("the env families that " + key.python() + " listed cannot be read (is its worldgate_envs "
                    + "older than the gateway?): " + e.getMessage() + "; " + PythonLocator.INSTALL_HINT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvException("interrupted while listing the Python env families", e);
        } finally {
            p.destroyForcibly();
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                in.transferTo(buf);
                return buf.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String lastLines(String text, int max) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - max), lines.size()));
    }
}
