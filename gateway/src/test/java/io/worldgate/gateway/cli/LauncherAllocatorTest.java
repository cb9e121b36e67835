package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./worldgate} launcher gives the gateway's JVM glibc's allocator settings (README,
 * Memory) unless the caller set them. The real launcher runs in a scratch checkout with stand-in
 * jars and a stand-in {@code java} that writes down the two variables it was started with.
 */
class LauncherAllocatorTest {
    private static final Path LAUNCHER = Path.of("../worldgate");
    private static final String FAKE_JAVA = """
            #!/usr/bin/env bash
            if [ "$1" = -version ]; then echo 'openjdk version "17.0.9" 2023-10-17' >&2; exit 0; fi
            printf 'mmap=%s\\npad=%s\\n' "${MALLOC_MMAP_THRESHOLD_-unset}" "${MALLOC_TOP_PAD_-unset}" > "$FAKE_JVM_STATE/env"
            """;

    @TempDir
    Path tmp;
    private Path root;
    private Path bin;
    private Path state;

    @BeforeEach
    void scratchCheckout() throws IOException {
        root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(LAUNCHER, root.resolve("worldgate"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        state = Files.createDirectories(tmp.resolve("state"));
        executable(bin.resolve("java"), FAKE_JAVA);
        executable(bin.resolve("mvn"), "#!/bin/sh\nexit 0\n");
        Files.createDirectories(root.resolve("gateway/target/lib"));
        Files.writeString(root.resolve("gateway/target/worldgate-gateway.jar"), "gateway");
        Files.writeString(root.resolve("gateway/target/lib/a.jar"), "a");
    }

    /**
     * The top pad keeps freed memory in glibc's heaps instead of handing it back and faulting it in
     * again at the next update (TD-MPC2 {@code 1M}: about 10,800 minor page faults per update
     * without it, about 400 with it; README, Memory).
     */
    @Test
    void theGatewayGetsTheMmapThresholdAndTheTopPad() throws Exception {
        assertThat(launch(Map.of())).containsEntry("mmap", "16777216").containsEntry("pad", "67108864");
    }

    @Test
    void valuesTheCallerSetAreKept() throws Exception {
        assertThat(launch(Map.of("MALLOC_MMAP_THRESHOLD_", "4194304", "MALLOC_TOP_PAD_", "131072")))
                .containsEntry("mmap", "4194304").containsEntry("pad", "131072");
    }

    /** Runs {@code ./worldgate train} with {@code env} added; the variables the JVM saw. */
    private Map<String, String> launch(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("worldgate").toString(), "train", "x")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("launch.log").toFile());
        pb.environment().remove("MALLOC_MMAP_THRESHOLD_");
        pb.environment().remove("MALLOC_TOP_PAD_");
        pb.environment().putAll(env);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("FAKE_JVM_STATE", state.toString());
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve("launch.log"))).isZero();
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(state.resolve("env"))) {
            String[] kv = line.split("=", 2);
            seen.put(kv[0], kv[1]);
        }
        return seen;
    }

    private static void executable(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
