package io.worldgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./worldgate} launcher runs the gateway's JVM from a copy of the build that a later
 * build does not touch. The real launcher runs in a scratch checkout whose {@code gateway/target}
 * holds stand-in jars, with a stand-in {@code java} on the PATH that records the class path it was
 * given (and glibc's allocator variables), and for a "held" command, stays alive like a long run
 * until told to stop.
 */
class LauncherClasspathTest {
    private static final Path LAUNCHER = Path.of("../worldgate");
    private static final String FAKE_JAVA = """
            #!/usr/bin/env bash
            if [ "$1" = -version ]; then echo 'openjdk version "17.0.9" 2023-10-17' >&2; exit 0; fi
            cp=""; name=""
            while [ $# -gt 0 ]; do [ "$1" = -cp ] && cp=$2; name=$1; shift; done
            printf 'mmap=%s\\npad=%s\\n' "${MALLOC_MMAP_THRESHOLD_-unset}" "${MALLOC_TOP_PAD_-unset}" > "$FAKE_JVM_STATE/$name.env"
            printf '%s\\n' "$cp" > "$FAKE_JVM_STATE/$name.tmp" && mv "$FAKE_JVM_STATE/$name.tmp" "$FAKE_JVM_STATE/$name.cp"
            case "$name" in hold*) while [ ! -e "$FAKE_JVM_STATE/$name.stop" ]; do sleep 0.05; done ;; esac
            """;

    @TempDir
    Path tmp;
    private Path root;
    private Path bin;
    private Path state;
    private Instant buildTime = Instant.now().minusSeconds(3600);
    private Process held;

    @BeforeEach
    void scratchCheckout() throws IOException {
        root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(LAUNCHER, root.resolve("worldgate"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        state = Files.createDirectories(tmp.resolve("state"));
        executable(bin.resolve("java"), FAKE_JAVA);
        executable(bin.resolve("mvn"), "#!/bin/sh\nexit 0\n");
        Files.createDirectories(root.resolve("gateway/target/lib"));
        build("gateway-v1", "a-v1");
    }

    @AfterEach
    void stopHeld() throws Exception {
        if (held != null && held.isAlive()) {
            held.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRebuildLeavesTheRunningJvmsClassesAloneAndOldCopiesArePruned() throws Exception {
        held = launch("hold1");
        Path first = classpathDir("hold1");
        assertThat(read(first.resolve("worldgate-gateway.jar"))).isEqualTo("gateway-v1");

        // what `mvn package` does while the JVM runs: the jars are rewritten in place
        build("gateway-v2", "a-v2");
        assertThat(read(first.resolve("worldgate-gateway.jar"))).as("the running JVM's jar").isEqualTo("gateway-v1");
        assertThat(read(first.resolve("lib/a.jar"))).as("the running JVM's lib").isEqualTo("a-v1");
        assertThat(first.getParent()).as("the JVM's class path").isEqualTo(real(root).resolve(".worldgate/dist"));

        Path second = classpathDir(run("once2"));
        assertThat(second).isNotEqualTo(first);
        assertThat(read(second.resolve("worldgate-gateway.jar"))).isEqualTo("gateway-v2");
        assertThat(read(second.resolve("lib/a.jar"))).isEqualTo("a-v2");
        assertThat(Files.isSameFile(first.resolve("lib/b.jar"), second.resolve("lib/b.jar")))
                .as("an unchanged lib jar is shared, not copied again").isTrue();
        assertThat(classpathDir(run("once3"))).as("no new copy without a new build").isEqualTo(second);

        for (int v = 3; v <= 6; v++) {
            build("gateway-v" + v, "a-v" + v);
            run("once" + v + "b");
        }
        assertThat(copies()).as("the newest three, and the one a live JVM uses").hasSize(4).contains(first);

        Files.writeString(state.resolve("hold1.stop"), "");
        assertThat(held.waitFor(20, TimeUnit.SECONDS)).isTrue();
        build("gateway-v7", "a-v7");
        Path last = classpathDir(run("once7"));
        assertThat(copies()).as("no JVM uses the first copy any more").hasSize(3).doesNotContain(first).contains(last);
    }

    /**
     * The gateway's JVM gets glibc's allocator settings (README, Memory) unless the caller set them.
     * The top pad keeps freed memory in glibc's heaps instead of handing it back and faulting it in
     * again at the next update (TD-MPC2 {@code 1M}: about 10,800 minor page faults per update
     * without it, about 400 with it).
     */
    @Test
    void theGatewayGetsTheMmapThresholdAndTheTopPadUnlessTheCallerSetThem() throws Exception {
        assertThat(allocator(run("defaults"))).containsEntry("mmap", "16777216").containsEntry("pad", "67108864");
        assertThat(allocator(run("given", Map.of("MALLOC_MMAP_THRESHOLD_", "4194304", "MALLOC_TOP_PAD_", "131072"))))
                .containsEntry("mmap", "4194304").containsEntry("pad", "131072");
    }

    /** The allocator variables the JVM {@code name} saw. */
    private Map<String, String> allocator(String name) throws IOException {
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(state.resolve(name + ".env"))) {
            String[] kv = line.split("=", 2);
            seen.put(kv[0], kv[1]);
        }
        return seen;
    }

    /** Writes a build into gateway/target, in place, as Maven does; each one a minute newer. */
    private void build(String gateway, String a) throws IOException {
        buildTime = buildTime.plusSeconds(60);
        Path target = root.resolve("gateway/target");
        for (String[] f : new String[][] {{"worldgate-gateway.jar", gateway}, {"lib/a.jar", a}, {"lib/b.jar", "b"}}) {
            Path p = target.resolve(f[0]);
            boolean unchanged = Files.exists(p) && read(p).equals(f[1]);
            if (!unchanged) {
                Files.writeString(p, f[1]);
                Files.setLastModifiedTime(p, FileTime.from(buildTime));
            }
        }
    }

    private Process launch(String name) throws IOException {
        return launch(name, Map.of());
    }

    /** Starts {@code ./worldgate train name} with {@code env} added (glibc's variables unset otherwise). */
    private Process launch(String name, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("worldgate").toString(), "train", name)
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().remove("MALLOC_MMAP_THRESHOLD_");
        pb.environment().remove("MALLOC_TOP_PAD_");
        pb.environment().putAll(env);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("FAKE_JVM_STATE", state.toString());
        return pb.start();
    }

    /** Runs a launch that ends at once; returns its name. */
    private String run(String name) throws Exception {
        return run(name, Map.of());
    }

    private String run(String name, Map<String, String> env) throws Exception {
        Process p = launch(name, env);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(tmp.resolve(name + ".log"))).isZero();
        return name;
    }

    /** The directory the JVM {@code name} got its gateway jar from. */
    private Path classpathDir(String name) throws Exception {
        Path cp = state.resolve(name + ".cp");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(cp)) {
            assertThat(System.nanoTime()).as("JVM %s started", name).isLessThan(deadline);
            Thread.sleep(50);
        }
        String jar = Files.readString(cp).strip().split(":")[0];
        assertThat(jar).endsWith("/worldgate-gateway.jar");
        return real(root.resolve(jar).getParent());
    }

    private List<Path> copies() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(".worldgate/dist"))) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).map(LauncherClasspathTest::real)
                    .toList();
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath(); // the launcher names it from the checkout's real path
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static void executable(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
